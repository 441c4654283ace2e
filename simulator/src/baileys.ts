// Baileys is ESM-only while this package compiles to CommonJS, so it is loaded once with a real
// dynamic import and handed around as a module object. Types come from `import type` only.
import type * as BaileysModule from '@whiskeysockets/baileys';

export type Baileys = typeof BaileysModule;
export type { BinaryNode, SignalKeyStore, SignalDataTypeMap, SignalDataSet } from '@whiskeysockets/baileys';

let loaded: Promise<Baileys> | undefined;

export function loadBaileys(): Promise<Baileys> {
  loaded ??= import('@whiskeysockets/baileys') as Promise<Baileys>;
  return loaded;
}

/** Strict XEdDSA verification. Baileys' `Curve.verify` reports success for bad signatures in rc14, so it is not used for checks. */
interface LibsignalCurve {
  verifySignature(pubKey: Uint8Array, msg: Uint8Array, sig: Uint8Array, isInit?: boolean): boolean;
}

let curve: LibsignalCurve | undefined;

export function verifySignature(publicKey32: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  // libsignal is CommonJS and ships with Baileys; its verifySignature returns false for a bad signature
  // and throws only for malformed sizes.
  curve ??= require('libsignal/src/curve.js') as LibsignalCurve;
  try {
    const key = publicKey32.length === 33 ? publicKey32 : Buffer.concat([Buffer.from([5]), publicKey32]);
    return curve.verifySignature(key, message, signature) === true;
  } catch {
    return false;
  }
}
