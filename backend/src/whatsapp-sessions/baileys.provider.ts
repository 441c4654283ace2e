import { installLibsignalConsoleFilter } from '../common/libsignal-console';
import { installStrictSignatureCheck } from './transport-trust';

/** The Baileys module. It is ESM-only, so it is loaded once with `import()` and injected as `BAILEYS`. */
export type Baileys = typeof import('@whiskeysockets/baileys');

export const BAILEYS = Symbol('BAILEYS');

let loaded: Promise<Baileys> | undefined;

export function loadBaileys(): Promise<Baileys> {
  // libsignal, loaded with Baileys, prints key material to the console; the filter goes in first.
  installLibsignalConsoleFilter();
  // The signature fix goes in before any socket exists, so no handshake or pairing runs without it.
  loaded ??= import('@whiskeysockets/baileys').then((baileys) => {
    installStrictSignatureCheck(baileys);
    return baileys;
  });
  return loaded;
}

export const baileysProvider = { provide: BAILEYS, useFactory: loadBaileys };
