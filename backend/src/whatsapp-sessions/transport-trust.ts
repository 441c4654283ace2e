import { createRequire } from 'node:module';
import type { Baileys } from './baileys.provider';

/**
 * WhatsApp's long-term root public key for the Noise certificate chain (Curve25519, 32 bytes,
 * without the 0x05 prefix). It is the `WA_CERT_DETAILS.PUBLIC_KEY` default of Baileys 7.0.0-rc14
 * and `WACertPubKey` in whatsmeow's handshake.go.
 */
export const WHATSAPP_ROOT_PUBLIC_KEY = Buffer.from('142375574d0a587166aae71ebe516437c4a28b73e3695c6ce1f7f9545da8ee6b', 'hex');

const CURVE25519_KEY_LENGTH = 32;

/** The part of libsignal's `src/curve.js` used here (libsignal 6.0.0, CommonJS). */
interface LibsignalCurve {
  /** Returns false for a bad signature and throws only for a malformed key, message or signature. */
  verifySignature(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
}

/** Loads libsignal's curve module from Baileys' own folder, so it is the copy Baileys depends on. */
function loadLibsignalCurve(): LibsignalCurve {
  const requireFromBaileys = createRequire(require.resolve('@whiskeysockets/baileys'));
  return requireFromBaileys('libsignal/src/curve.js') as LibsignalCurve;
}

/**
 * Replaces Baileys' `Curve.verify` with one that returns libsignal's result. Baileys 7.0.0-rc14
 * treats every call that does not throw as a valid signature, but libsignal returns false for a bad
 * one, so neither the Noise certificate chain nor the phone's account signature at pairing is checked.
 *
 * `Curve` is one plain object exported by `Utils/crypto.js`. `Utils/noise-handler.js` and
 * `Utils/validate-connection.js` import that same object and look up `Curve.verify` at each call,
 * so assigning the property here reaches both checks without editing Baileys' files.
 */
let strictChecks = true;

/**
 * Turns the strict check on or off for this process (`WHATSAPP_VERIFY_SIGNATURES`). Off restores
 * Baileys' own behaviour, which accepts any signature; docs/security.md states the risk.
 */
export function setStrictSignatureChecks(enabled: boolean): void {
  strictChecks = enabled;
}

export function installStrictSignatureCheck(baileys: Baileys): void {
  // NOTE: Baileys rc14 never compares the leaf certificate's key with the server's static Noise key,
  // so a server that replays WhatsApp's public certificate chain still passes. TLS on wss:// covers live mode.
  const libsignalCurve = loadLibsignalCurve();
  const { Curve, generateSignalPubKey } = baileys;
  const lenient = Curve.verify;

  Curve.verify = (publicKey, message, signature) => {
    if (!strictChecks) return lenient(publicKey, message, signature);
    try {
      return libsignalCurve.verifySignature(generateSignalPubKey(publicKey), message, signature) === true;
    } catch {
      // A malformed key or signature is an invalid signature, as in Baileys' own wrapper.
      return false;
    }
  };
}

/**
 * Sets the root key that Baileys checks the server's Noise certificate chain against. The setting
 * is process-wide because `WA_CERT_DETAILS` is one shared object, so a process talks either to
 * WhatsApp (live mode) or to one simulator (sandbox mode).
 */
export function pinCertificateRoot(baileys: Baileys, rootPublicKey: Uint8Array): void {
  if (rootPublicKey.length !== CURVE25519_KEY_LENGTH) {
    throw new Error(`Invalid Noise certificate root key: expected ${CURVE25519_KEY_LENGTH} bytes, got ${rootPublicKey.length}. In sandbox mode, check that SIMULATOR_URL points at the Charla WhatsApp simulator.`);
  }
  baileys.WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(rootPublicKey);
}
