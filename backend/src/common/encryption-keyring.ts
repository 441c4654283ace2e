import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
// A random 32-byte key has about 30 distinct byte values, so fewer than 16 points to a typed placeholder.
const MIN_DISTINCT_KEY_BYTES = 16;

/**
 * Decodes an encryption key written as 64 hex characters or as base64 (standard or URL alphabet) of
 * 32 bytes. Throws an error that never repeats the value, so it can go into a configuration report.
 */
export function decodeEncryptionKey(text: string): Buffer {
  const trimmed = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) key = Buffer.from(trimmed, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) key = Buffer.from(trimmed, 'base64');

  if (key?.length !== KEY_BYTES) {
    throw new Error('must be 32 random bytes written as 64 hex characters or 44 base64 characters (for example the output of `openssl rand -base64 32`)');
  }
  if (new Set(key).size < MIN_DISTINCT_KEY_BYTES) {
    throw new Error('is not random enough because too many of its bytes repeat. Generate one with `openssl rand -base64 32`');
  }
  return key;
}

/** One encrypted value as stored: ciphertext followed by the 16-byte GCM tag, its nonce, and the version of its key. */
export interface SealedValue {
  ciphertext: Buffer;
  nonce: Buffer;
  keyVersion: string;
}

/** The binding of a sealed value. Decryption succeeds only with the same context. */
export interface EncryptionContext {
  /** Separates unrelated uses of the same root key, for example `whatsapp-auth-state`. */
  purpose: string;
  /** Scope of a derived key, for example a session id, so each scope uses a key of its own. */
  scope: string;
  /** Authenticated but not encrypted data, for example the name under which the value is stored. */
  associatedData: Buffer;
}

/** A value that could not be decrypted: unknown key version, another key, or changed or moved data. */
export class DecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecryptionError';
  }
}

/**
 * AES-256-GCM under a current key and optional previous keys, for key rotation. New values use the
 * current key. Each sealed value records the version of its key, so values sealed under a previous
 * key still open. Every value is encrypted under a random 96-bit nonce with a key derived
 * (HKDF-SHA256) from the root key, the purpose and the scope.
 */
export class EncryptionKeyring {
  readonly currentVersion: string;
  private readonly keys = new Map<string, Buffer>();

  constructor(currentKey: Buffer, previousKeys: Buffer[] = []) {
    this.currentVersion = keyVersionOf(currentKey);
    this.keys.set(this.currentVersion, currentKey);
    for (const key of previousKeys) {
      const version = keyVersionOf(key);
      if (!this.keys.has(version)) this.keys.set(version, key);
    }
  }

  encrypt(plaintext: Buffer, context: EncryptionContext): SealedValue {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.derivedKey(this.currentVersion, context), nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(context.associatedData);
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return { ciphertext, nonce, keyVersion: this.currentVersion };
  }

  decrypt(sealed: SealedValue, context: EncryptionContext): Buffer {
    if (!this.keys.has(sealed.keyVersion)) {
      throw new DecryptionError(`The value was encrypted with key version ${sealed.keyVersion}, which is neither ENCRYPTION_KEY nor ENCRYPTION_KEY_PREVIOUS`);
    }
    if (sealed.nonce.length !== NONCE_BYTES || sealed.ciphertext.length < TAG_BYTES) {
      throw new DecryptionError('The value is not a complete AES-GCM ciphertext');
    }

    const body = sealed.ciphertext.subarray(0, sealed.ciphertext.length - TAG_BYTES);
    const tag = sealed.ciphertext.subarray(sealed.ciphertext.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.derivedKey(sealed.keyVersion, context), sealed.nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(context.associatedData);
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(body), decipher.final()]);
    } catch {
      throw new DecryptionError('The value failed authentication: it was encrypted under another key, changed, or moved to another name or session');
    }
  }

  private derivedKey(version: string, context: EncryptionContext): Buffer {
    const root = this.keys.get(version)!;
    return Buffer.from(hkdfSync('sha256', root, context.scope, `charla:${context.purpose}`, KEY_BYTES));
  }
}

/** Derives a short public name for a key from an HMAC under the key itself, which reveals nothing about the key. */
function keyVersionOf(key: Buffer): string {
  return createHmac('sha256', key).update('charla:key-version').digest('hex').slice(0, 16);
}
