import { checkMediaType, sniffMimeType } from './mime-sniff';

const ALLOWED = ['image/png', 'image/jpeg', 'image/webp', 'audio/ogg', 'audio/webm', 'video/mp4', 'application/pdf', 'text/plain'];

describe('sniffMimeType', () => {
  it.each([
    ['89504e470d0a1a0a0000', 'image/png'],
    ['ffd8ffe000104a464946', 'image/jpeg'],
    ['52494646000000005745425056503820', 'image/webp'],
    ['52494646000000005741564566', 'audio/wav'],
    ['4f67675300020000', 'audio/ogg'],
    ['1a45dfa39f4286', 'video/webm'],
    ['000000186674797069736f6d', 'video/mp4'],
    ['255044462d312e34', 'application/pdf'],
    ['504b030414000000', 'application/zip'],
    ['4d5a90000300', undefined],
  ])('reads %s as %s', (hex, expected) => {
    expect(sniffMimeType(Buffer.from(hex, 'hex'))).toBe(expected);
  });

  it('reads UTF-8 text as text/plain', () => {
    expect(sniffMimeType(Buffer.from('precio;cantidad\nñandú;3\n'))).toBe('text/plain');
  });
});

describe('checkMediaType', () => {
  const png = Buffer.from('89504e470d0a1a0a0000', 'hex');

  it('keeps the declared type with its parameters when the content matches', () => {
    const ogg = Buffer.from('4f67675300020000', 'hex');
    expect(checkMediaType({ bytes: ogg, messageType: 'audio', declaredMimeType: 'audio/ogg; codecs=opus', allowedMimeTypes: ALLOWED, source: 'file' })).toBe('audio/ogg; codecs=opus');
  });

  it('uses the detected type when none or octet-stream is declared', () => {
    expect(checkMediaType({ bytes: png, messageType: 'image', declaredMimeType: 'application/octet-stream', allowedMimeTypes: ALLOWED, source: 'file' })).toBe('image/png');
  });

  it.each([
    ['a declared type the content contradicts', { bytes: png, messageType: 'image' as const, declaredMimeType: 'image/jpeg' }, 'MEDIA_TYPE_MISMATCH'],
    ['a file that does not fit the message type', { bytes: png, messageType: 'video' as const }, 'MEDIA_TYPE_MISMATCH'],
    ['an unknown binary', { bytes: Buffer.from('4d5a9000', 'hex'), messageType: 'document' as const }, 'MEDIA_TYPE_UNKNOWN'],
    ['a type outside the allowed list', { bytes: Buffer.from('504b0304', 'hex'), messageType: 'document' as const }, 'MEDIA_TYPE_NOT_ALLOWED'],
  ])('rejects %s', (_name, check, code) => {
    expect(() => checkMediaType({ allowedMimeTypes: ALLOWED, source: 'file', ...check })).toThrow(expect.objectContaining({ code }));
  });
});
