// WhatsApp's media encryption, as Baileys' messages-media.js implements it: a random 32-byte media
// key is expanded with HKDF-SHA256 (info "WhatsApp <Type> Keys") into an IV, an AES-256-CBC key and
// an HMAC-SHA256 key; the file on the media host is the ciphertext followed by the first 10 bytes of
// HMAC(iv || ciphertext).
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

export const MEDIA_TYPES = ['image', 'video', 'audio', 'document', 'sticker'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

/** The HKDF info label of each type; stickers use the image keys, as in Baileys' MEDIA_HKDF_KEY_MAPPING. */
const KEY_LABEL: Record<MediaType, string> = { image: 'Image', video: 'Video', audio: 'Audio', document: 'Document', sticker: 'Image' };

const MAC_BYTES = 10;

export function mediaKeys(mediaKey: Uint8Array, type: MediaType): { iv: Buffer; cipherKey: Buffer; macKey: Buffer } {
  const expanded = Buffer.from(hkdfSync('sha256', mediaKey, Buffer.alloc(32), `WhatsApp ${KEY_LABEL[type]} Keys`, 112));
  return { iv: expanded.subarray(0, 16), cipherKey: expanded.subarray(16, 48), macKey: expanded.subarray(48, 80) };
}

export interface EncryptedMedia {
  mediaKey: Buffer;
  encrypted: Buffer;
  fileSha256: Buffer;
  fileEncSha256: Buffer;
}

export function encryptMedia(plaintext: Buffer, type: MediaType): EncryptedMedia {
  const mediaKey = randomBytes(32);
  const { iv, cipherKey, macKey } = mediaKeys(mediaKey, type);
  const cipher = createCipheriv('aes-256-cbc', cipherKey, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const mac = createHmac('sha256', macKey).update(iv).update(ciphertext).digest().subarray(0, MAC_BYTES);
  const encrypted = Buffer.concat([ciphertext, mac]);
  return {
    mediaKey,
    encrypted,
    fileSha256: createHash('sha256').update(plaintext).digest(),
    fileEncSha256: createHash('sha256').update(encrypted).digest(),
  };
}

export class MediaDecryptionError extends Error {}

/** Checks the MAC and decrypts; throws MediaDecryptionError when the file or the key is wrong. */
export function decryptMedia(encrypted: Buffer, mediaKey: Uint8Array, type: MediaType): Buffer {
  if (encrypted.length < MAC_BYTES + 16) throw new MediaDecryptionError(`encrypted file of ${encrypted.length} bytes is too short`);
  const { iv, cipherKey, macKey } = mediaKeys(mediaKey, type);
  const ciphertext = encrypted.subarray(0, encrypted.length - MAC_BYTES);
  const mac = encrypted.subarray(encrypted.length - MAC_BYTES);
  const expected = createHmac('sha256', macKey).update(iv).update(ciphertext).digest().subarray(0, MAC_BYTES);
  if (!timingSafeEqual(mac, expected)) throw new MediaDecryptionError('media MAC does not match: wrong key or damaged file');
  const decipher = createDecipheriv('aes-256-cbc', cipherKey, iv);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

export const sha256Hex = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
