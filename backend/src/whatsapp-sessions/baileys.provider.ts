import { installLibsignalConsoleFilter } from '../common/libsignal-console';

/** The Baileys module. It is ESM-only, so it is loaded once with `import()` and injected as `BAILEYS`. */
export type Baileys = typeof import('@whiskeysockets/baileys');

export const BAILEYS = Symbol('BAILEYS');

let loaded: Promise<Baileys> | undefined;

export function loadBaileys(): Promise<Baileys> {
  // libsignal, loaded with Baileys, prints key material to the console; the filter goes in first.
  installLibsignalConsoleFilter();
  loaded ??= import('@whiskeysockets/baileys');
  return loaded;
}

export const baileysProvider = { provide: BAILEYS, useFactory: loadBaileys };
