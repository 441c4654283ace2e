import { AppError } from '../common/app-error';

/** Message types that carry a file. */
export const MEDIA_MESSAGE_TYPES = ['image', 'video', 'audio', 'document', 'sticker'] as const;
export type MediaMessageType = (typeof MEDIA_MESSAGE_TYPES)[number];

export function isMediaMessageType(type: string | undefined | null): type is MediaMessageType {
  return (MEDIA_MESSAGE_TYPES as readonly string[]).includes(type ?? '');
}

/**
 * Detects a file's type from its first bytes (its signature). Containers shared by several types
 * (MP4, WebM, ZIP, the old Office format) return one name, and `compatibleTypes` lists the declared
 * types it may stand for. Returns undefined when no known signature matches.
 */
export function sniffMimeType(bytes: Buffer): string | undefined {
  const ascii = (start: number, end: number) => bytes.subarray(start, end).toString('latin1');
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (ascii(0, 8) === '\x89PNG\r\n\x1a\n') return 'image/png';
  if (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a') return 'image/gif';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE') return 'audio/wav';
  if (ascii(0, 4) === 'OggS') return 'audio/ogg';
  if (ascii(0, 6) === '#!AMR\n') return 'audio/amr';
  if (ascii(0, 3) === 'ID3') return 'audio/mpeg';
  // ADTS AAC frames start with 12 set bits and layer 0; MPEG audio frames with 11 set bits.
  if (bytes.length >= 2 && bytes[0] === 0xff && (bytes[1] & 0xf6) === 0xf0) return 'audio/aac';
  if (bytes.length >= 2 && bytes[0] === 0xff && (bytes[1] & 0xe0) === 0xe0) return 'audio/mpeg';
  if (ascii(4, 8) === 'ftyp') {
    const brand = ascii(8, 12);
    if (brand === 'qt  ') return 'video/quicktime';
    if (brand.startsWith('3gp')) return 'video/3gpp';
    if (brand === 'M4A ') return 'audio/mp4';
    return 'video/mp4';
  }
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0x1a45dfa3) return 'video/webm';
  if (ascii(0, 5) === '%PDF-') return 'application/pdf';
  if (ascii(0, 4) === 'PK\x03\x04') return 'application/zip';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from('d0cf11e0a1b11ae1', 'hex'))) return 'application/x-cfb';
  if (looksLikeText(bytes)) return 'text/plain';
  return undefined;
}

/** Declared types each detected container may stand for. */
const COMPATIBLE: Record<string, string[]> = {
  'video/mp4': ['video/mp4', 'audio/mp4', 'audio/x-m4a', 'audio/aac'],
  'audio/mp4': ['audio/mp4', 'audio/x-m4a', 'video/mp4', 'audio/aac'],
  'video/webm': ['video/webm', 'audio/webm'],
  'audio/mpeg': ['audio/mpeg', 'audio/mp3'],
  'audio/wav': ['audio/wav', 'audio/x-wav', 'audio/wave'],
  'application/zip': [
    'application/zip',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  ],
  'application/x-cfb': ['application/msword', 'application/vnd.ms-excel', 'application/vnd.ms-powerpoint'],
  'text/plain': ['text/plain', 'text/csv'],
};

export function compatibleTypes(sniffed: string): string[] {
  return COMPATIBLE[sniffed] ?? [sniffed];
}

/** UTF-8 text without NUL or other control bytes (tab, line breaks and form feed allowed) in its first 4 KB. */
function looksLikeText(bytes: Buffer): boolean {
  if (bytes.length === 0) return false;
  const head = bytes.subarray(0, 4096);
  for (const byte of head) {
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c) return false;
  }
  // A cut in the middle of a multi-byte character at the 4 KB mark still decodes with one replacement.
  const decoded = head.toString('utf8');
  return (decoded.match(/\uFFFD/g)?.length ?? 0) <= 1;
}

/** Returns the type without parameters, in lower case: `audio/ogg; codecs=opus` gives `audio/ogg`. */
export function baseMimeType(mimeType: string): string {
  return mimeType.split(';')[0].trim().toLowerCase();
}

/** Returns whether a message type may carry a file of this MIME type. */
function fitsMessageType(messageType: MediaMessageType, mimeType: string): boolean {
  switch (messageType) {
    case 'image':
      return ['image/jpeg', 'image/png', 'image/webp', 'image/gif'].includes(mimeType);
    case 'sticker':
      return mimeType === 'image/webp';
    case 'video':
      return mimeType.startsWith('video/');
    case 'audio':
      return mimeType.startsWith('audio/');
    case 'document':
      return true;
  }
}

export interface MediaCheck {
  bytes: Buffer;
  messageType: MediaMessageType;
  /** The type the sender named (upload header, URL response or WhatsApp message); parameters are kept when it matches. */
  declaredMimeType?: string | null;
  allowedMimeTypes: string[];
  /** Names the file in error messages, such as `file` or `url`. */
  source: string;
}

/**
 * Decides a file's MIME type from its content and checks it against the declared type, the message
 * type and the allowed types. Throws 422 `MEDIA_TYPE_UNKNOWN`, `MEDIA_TYPE_MISMATCH` or
 * `MEDIA_TYPE_NOT_ALLOWED`. Returns the declared type when it matches, otherwise the detected one.
 */
export function checkMediaType(check: MediaCheck): string {
  const sniffed = sniffMimeType(check.bytes);
  const declared = check.declaredMimeType?.trim() || undefined;
  const declaredBase = declared ? baseMimeType(declared) : undefined;
  if (!sniffed) {
    throw AppError.unprocessable(
      'MEDIA_TYPE_UNKNOWN',
      `The content of ${check.source} does not match any supported file type${declared ? ` (it was declared as ${declared})` : ''}. Send an image, video, audio, PDF, Office or text file.`,
    );
  }
  const accepted = compatibleTypes(sniffed);
  if (declaredBase && declaredBase !== 'application/octet-stream' && !accepted.includes(declaredBase)) {
    throw AppError.unprocessable('MEDIA_TYPE_MISMATCH', `${check.source} was declared as ${declared} but its content is ${sniffed}. Send the file with its real type.`, {
      declaredMimeType: declared,
      detectedMimeType: sniffed,
    });
  }
  const mimeType = declaredBase && accepted.includes(declaredBase) ? declared! : sniffed;
  const base = baseMimeType(mimeType);
  if (!check.allowedMimeTypes.includes(base)) {
    throw AppError.unprocessable('MEDIA_TYPE_NOT_ALLOWED', `${check.source} is ${base}, which this server does not accept (MEDIA_ALLOWED_MIME_TYPES). Allowed: ${check.allowedMimeTypes.join(', ')}.`, {
      mimeType: base,
    });
  }
  if (!fitsMessageType(check.messageType, base)) {
    throw AppError.unprocessable('MEDIA_TYPE_MISMATCH', `${check.source} is ${base}, which cannot be sent as ${/^[aeiou]/.test(check.messageType) ? 'an' : 'a'} ${check.messageType}. Choose the matching type (document takes any allowed file).`, {
      detectedMimeType: base,
    });
  }
  return mimeType;
}
