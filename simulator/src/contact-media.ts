// Media between virtual contacts and linked devices. A contact's photo, video, audio, document or
// sticker is encrypted with a fresh media key and put on the media host, and the message carries
// what Baileys' downloadMediaMessage needs (url, directPath, mediaKey, hashes). A file a device sends
// is fetched from the media host and decrypted for the contact's inbox. A device that finds a link
// expired requests a re-upload with a `server-error` receipt, and the phone's reply is built here.
import { hkdfSync, randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import type { BinaryNode } from './baileys';
import type { Connection } from './connection';
import type { SimulatorCore } from './core';
import { MessageRequestError } from './contact-messages';
import { decryptMedia, encryptMedia, MEDIA_TYPES, sha256Hex, type MediaType } from './media-crypto';
import type { ProtoMessage } from './message-log';
import { child, node, unixNow } from './nodes';
import type { ReceivedMedia } from './state-store';

export { MEDIA_TYPES, type MediaType } from './media-crypto';

/** The proto field of each media type. */
const FIELD: Record<MediaType, string> = {
  image: 'imageMessage',
  video: 'videoMessage',
  audio: 'audioMessage',
  document: 'documentMessage',
  sticker: 'stickerMessage',
};

/** Largest file a contact can send through the control API (its JSON body carries base64). */
const MAX_CONTACT_FILE_BYTES = 16 * 1024 * 1024;

/** The copy the phone keeps of a file a contact sent, so it can upload it again on a device's request. */
export interface SentMedia {
  type: MediaType;
  mediaKey: Buffer;
  encrypted: Buffer;
  /** `gone`: the phone no longer has the file either, so a re-upload request fails. */
  gone: boolean;
}

export function isMediaType(type: unknown): type is MediaType {
  return typeof type === 'string' && (MEDIA_TYPES as readonly string[]).includes(type);
}

/** Builds a 16x16 PNG of one colour with zlib, so the sample is a real image. */
function samplePng(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (data: Buffer) => {
    let c = 0xffffffff;
    for (const byte of data) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const checksum = Buffer.alloc(4);
    checksum.writeUInt32BE(crc(body));
    return Buffer.concat([length, body, checksum]);
  };
  const size = 16;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: size }, () => [0x25, 0xd3, 0x66]).flat())]);
  const pixels = Buffer.concat(Array.from({ length: size }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(pixels)), chunk('IEND', Buffer.alloc(0))]);
}

/** Half a second of 8 kHz mono 16-bit silence as WAV. */
function sampleWav(): Buffer {
  const samples = 4000;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + samples * 2, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(16000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(samples * 2, 40);
  return Buffer.concat([header, Buffer.alloc(samples * 2)]);
}

/** Sample files for requests without `data`: real formats where it is cheap, otherwise the right magic bytes. */
function sampleFile(type: MediaType): { data: Buffer; mimeType: string } {
  switch (type) {
    case 'image':
      return { data: samplePng(), mimeType: 'image/png' };
    case 'sticker':
      // A 1x1 lossless WebP.
      return { data: Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64'), mimeType: 'image/webp' };
    case 'audio':
      return { data: sampleWav(), mimeType: 'audio/wav' };
    case 'video':
      // An MP4 `ftyp` box followed by filler: enough for type checks, not for playback.
      return { data: Buffer.concat([Buffer.from('000000186674797069736f6d0000020069736f6d6d703432', 'hex'), randomBytes(256)]), mimeType: 'video/mp4' };
    case 'document':
      return { data: Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1'), mimeType: 'application/pdf' };
  }
}

const invalid = (message: string) => new MessageRequestError(400, 'INVALID_CONTENT', message);

function optionalText(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(`${field} must be a string`);
  return value || undefined;
}

/**
 * Builds a contact's media message from a `/control/messages` body: `data` (base64) and `mimeType`,
 * or a generated sample; `caption`, `fileName` (documents), `ptt` (audio), `seconds`, `expired`.
 * The encrypted file goes on the media host unless `expired` requests a dead link.
 */
export function buildMediaMessage(core: SimulatorCore, type: MediaType, body: Record<string, unknown>): { message: Record<string, unknown>; sent: SentMedia } {
  let file: { data: Buffer; mimeType: string };
  if (body.data !== undefined && body.data !== null) {
    if (typeof body.data !== 'string' || !/^[A-Za-z0-9+/=\s]*$/.test(body.data)) throw invalid('data must be the file as base64');
    const data = Buffer.from(body.data, 'base64');
    if (data.length === 0) throw invalid('data must not be empty');
    if (data.length > MAX_CONTACT_FILE_BYTES) throw invalid(`data must be at most ${MAX_CONTACT_FILE_BYTES} bytes`);
    const mimeType = optionalText(body, 'mimeType');
    if (!mimeType) throw invalid('mimeType is required with data');
    file = { data, mimeType };
  } else {
    file = sampleFile(type);
  }
  if (body.ptt !== undefined && typeof body.ptt !== 'boolean') throw invalid('ptt must be a boolean');
  if (body.ptt && type !== 'audio') throw invalid('ptt applies to audio only');
  const expired = body.expired;
  if (expired !== undefined && expired !== 'reupload' && expired !== 'gone') throw invalid("expired must be 'reupload' or 'gone'");
  if (body.seconds !== undefined && (typeof body.seconds !== 'number' || body.seconds < 0)) throw invalid('seconds must be a positive number');

  const encrypted = encryptMedia(file.data, type);
  // An expired link names a path the host never stored, so the download gets 404.
  const location = expired ? { directPath: `/v/t62.7118-24/${randomBytes(16).toString('hex')}.enc?ccb=11-4`, url: '' } : core.media.put(encrypted.encrypted);
  const url = location.url || `https://${core.media.hostname}${location.directPath}&mms3=true`;
  const caption = optionalText(body, 'caption');
  const fileName = optionalText(body, 'fileName') ?? (type === 'document' ? 'documento.pdf' : undefined);
  const content: Record<string, unknown> = {
    url,
    directPath: location.directPath,
    mediaKey: encrypted.mediaKey,
    mimetype: file.mimeType,
    fileSha256: encrypted.fileSha256,
    fileEncSha256: encrypted.fileEncSha256,
    fileLength: file.data.length,
    mediaKeyTimestamp: Math.floor(Date.now() / 1000),
  };
  if (caption && type !== 'audio' && type !== 'sticker') content.caption = caption;
  if (type === 'document') Object.assign(content, { fileName, title: fileName });
  if (type === 'audio') Object.assign(content, { ptt: Boolean(body.ptt), seconds: (body.seconds as number | undefined) ?? 1 });
  if (type === 'video') content.seconds = (body.seconds as number | undefined) ?? 1;
  if (type === 'sticker') content.isAnimated = false;
  return {
    message: { [FIELD[type]]: content },
    sent: { type, mediaKey: encrypted.mediaKey, encrypted: encrypted.encrypted, gone: expired === 'gone' },
  };
}

interface MediaFields {
  url?: string | null;
  directPath?: string | null;
  mediaKey?: Uint8Array | null;
  mimetype?: string | null;
  fileSha256?: Uint8Array | null;
  fileLength?: number | Long | null;
  fileName?: string | null;
  caption?: string | null;
  ptt?: boolean | null;
  seconds?: number | null;
}

type Long = { toNumber(): number };

/** Finds the media content of a message a device sent, through the document-with-caption wrapper. */
function findMedia(message: ProtoMessage): { type: MediaType; media: MediaFields } | undefined {
  const record = message as unknown as Record<string, unknown>;
  const wrapped = (record.documentWithCaptionMessage as { message?: Record<string, unknown> } | null)?.message;
  for (const source of [record, wrapped]) {
    if (!source) continue;
    for (const type of MEDIA_TYPES) {
      const media = source[FIELD[type]] as MediaFields | null | undefined;
      if (media) return { type, media };
    }
  }
  return undefined;
}

/**
 * Downloads and decrypts the file of a media message a device sent, as the contact's phone would.
 * Returns the inbox fields (type, caption, file details), or undefined for other messages.
 */
export function receiveMedia(core: SimulatorCore, waMessageId: string, message: ProtoMessage): { type: MediaType; content?: string; media: ReceivedMedia } | undefined {
  const found = findMedia(message);
  if (!found) return undefined;
  const { type, media } = found;
  const details = {
    mimeType: media.mimetype ?? 'application/octet-stream',
    ...(media.fileName ? { fileName: media.fileName } : {}),
    ...(type === 'audio' ? { ptt: Boolean(media.ptt) } : {}),
    ...(media.seconds ? { seconds: media.seconds } : {}),
  };
  const content = media.caption ?? undefined;
  const path = media.directPath ?? (media.url ? new URL(media.url).pathname : undefined);
  const encrypted = path ? core.media.get(path) : undefined;
  if (!encrypted || !media.mediaKey?.length) {
    return { type, content, media: { ...details, size: 0, sha256: '', error: 'the file is not on the media host' } };
  }
  try {
    const plaintext = decryptMedia(encrypted, media.mediaKey, type);
    const sha256 = sha256Hex(plaintext);
    if (media.fileSha256?.length && Buffer.from(media.fileSha256).toString('hex') !== sha256) {
      return { type, content, media: { ...details, size: plaintext.length, sha256, error: 'fileSha256 in the message does not match the decrypted file' } };
    }
    core.receivedFiles.set(waMessageId, plaintext);
    return { type, content, media: { ...details, size: plaintext.length, sha256 } };
  } catch (error) {
    return { type, content, media: { ...details, size: 0, sha256: '', error: (error as Error).message } };
  }
}

/** `MediaRetryNotification.ResultType` values (WAProto). */
const RETRY_SUCCESS = 1;
const RETRY_NOT_FOUND = 2;

/**
 * Answers a device's re-upload request (`<receipt type="server-error">`) the way the phone does:
 * the file goes on the media host again and a `mediaretry` notification, encrypted with a key
 * derived from the media key, carries the new directPath, or NOT_FOUND when the phone lost it too.
 */
export function answerMediaRetry(core: SimulatorCore, conn: Connection, receipt: BinaryNode): void {
  const id = receipt.attrs.id;
  const rmr = child(receipt, 'rmr');
  const sent = id ? core.mediaSent.get(id) : undefined;
  const login = conn.login;
  if (!id || !rmr || !login) return;

  const notification = (content: BinaryNode[]) =>
    node('notification', { from: `${login.phone}@s.whatsapp.net`, type: 'mediaretry', id, t: unixNow() }, [node('rmr', rmr.attrs), ...content]);
  if (!sent) {
    conn.send(notification([node('error', { code: '2' })]));
    core.log('debug', 'media re-upload requested for an unknown message', { id });
    return;
  }

  const directPath = sent.gone ? undefined : core.media.put(sent.encrypted).directPath;
  const plaintext = core.wa.proto.MediaRetryNotification.encode({ stanzaId: id, directPath, result: directPath ? RETRY_SUCCESS : RETRY_NOT_FOUND }).finish();
  const retryKey = Buffer.from(hkdfSync('sha256', sent.mediaKey, Buffer.alloc(32), 'WhatsApp Media Retry Notification', 32));
  const iv = randomBytes(12);
  const ciphertext = core.wa.aesEncryptGCM(plaintext, retryKey, iv, Buffer.from(id));
  conn.send(notification([node('encrypt', {}, [node('enc_p', {}, Buffer.from(ciphertext)), node('enc_iv', {}, iv)])]));
  core.log('info', 'media re-upload answered', { id, result: directPath ? 'success' : 'not-found' });
}
