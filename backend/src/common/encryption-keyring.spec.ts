import { randomBytes } from 'node:crypto';
import { decodeEncryptionKey, DecryptionError, EncryptionContext, EncryptionKeyring } from './encryption-keyring';

const context = (scope = 'session-a', name = 'creds'): EncryptionContext => ({ purpose: 'test', scope, associatedData: Buffer.from(name) });

describe(EncryptionKeyring.name, () => {
  const key = randomBytes(32);
  const plaintext = Buffer.from('{"private":"secret"}');

  it('round-trips a value', () => {
    const sut = new EncryptionKeyring(key);
    const sealed = sut.encrypt(plaintext, context());

    expect(sealed.nonce).toHaveLength(12);
    expect(sealed.ciphertext).toHaveLength(plaintext.length + 16);
    expect(sut.decrypt(sealed, context())).toEqual(plaintext);
  });

  it('uses a new nonce for every value', () => {
    const sut = new EncryptionKeyring(key);
    expect(sut.encrypt(plaintext, context()).nonce).not.toEqual(sut.encrypt(plaintext, context()).nonce);
  });

  it.each([
    ['another scope', context('session-b')],
    ['another name', context('session-a', 'session')],
  ])('rejects a value opened under %s', (_case, other) => {
    const sut = new EncryptionKeyring(key);
    const sealed = sut.encrypt(plaintext, context());

    expect(() => sut.decrypt(sealed, other)).toThrow(DecryptionError);
  });

  it('rejects a changed ciphertext', () => {
    const sut = new EncryptionKeyring(key);
    const sealed = sut.encrypt(plaintext, context());
    sealed.ciphertext[0] ^= 1;

    expect(() => sut.decrypt(sealed, context())).toThrow(/failed authentication/);
  });

  it('rotates to a new key', () => {
    const previous = new EncryptionKeyring(key);
    const sealedBefore = previous.encrypt(plaintext, context());
    const sut = new EncryptionKeyring(randomBytes(32), [key]);

    expect(sut.decrypt(sealedBefore, context())).toEqual(plaintext);
    expect(sut.encrypt(plaintext, context()).keyVersion).toBe(sut.currentVersion);
    expect(sut.currentVersion).not.toBe(previous.currentVersion);
  });

  it('names an unknown key version', () => {
    const sealed = new EncryptionKeyring(key).encrypt(plaintext, context());

    expect(() => new EncryptionKeyring(randomBytes(32)).decrypt(sealed, context())).toThrow(/neither ENCRYPTION_KEY nor ENCRYPTION_KEY_PREVIOUS/);
  });
});

describe(decodeEncryptionKey.name, () => {
  const key = randomBytes(32);

  it.each([
    ['hex', key.toString('hex')],
    ['base64', key.toString('base64')],
    ['base64url', key.toString('base64url')],
  ])('accepts %s', (_format, text) => {
    expect(decodeEncryptionKey(text)).toEqual(key);
  });

  it.each([
    ['too short', randomBytes(16).toString('base64')],
    ['too long', randomBytes(48).toString('hex')],
    ['a passphrase', 'correct horse battery staple correct horse b'],
    ['repeated bytes', Buffer.alloc(32, 7).toString('base64')],
  ])('rejects %s without repeating it', (_case, text) => {
    expect(() => decodeEncryptionKey(text)).toThrow();
    try {
      decodeEncryptionKey(text);
    } catch (error) {
      expect((error as Error).message).not.toContain(text);
    }
  });
});
