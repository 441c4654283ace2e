import { type Baileys, loadBaileys } from './baileys.provider';
import { pinCertificateRoot, WHATSAPP_ROOT_PUBLIC_KEY } from './transport-trust';

describe('transport trust', () => {
  let baileys: Baileys;
  let baileysDefaultRoot: Buffer;

  beforeAll(async () => {
    baileys = await loadBaileys();
    // Read before any test pins another root: each jest file loads its own copy of Baileys.
    baileysDefaultRoot = Buffer.from(baileys.WA_CERT_DETAILS.PUBLIC_KEY);
  });

  describe('installStrictSignatureCheck', () => {
    const message = Buffer.from('intermediate certificate details');

    it('accepts a valid signature', () => {
      const signer = baileys.Curve.generateKeyPair();
      expect(baileys.Curve.verify(signer.public, message, baileys.Curve.sign(signer.private, message))).toBe(true);
    });

    it('rejects a signature by another key', () => {
      const signer = baileys.Curve.generateKeyPair();
      const stranger = baileys.Curve.generateKeyPair();
      expect(baileys.Curve.verify(stranger.public, message, baileys.Curve.sign(signer.private, message))).toBe(false);
    });

    it('rejects a tampered message', () => {
      const signer = baileys.Curve.generateKeyPair();
      const signature = baileys.Curve.sign(signer.private, message);
      expect(baileys.Curve.verify(signer.public, Buffer.concat([message, Buffer.from([0])]), signature)).toBe(false);
    });

    it('rejects a malformed signature', () => {
      const signer = baileys.Curve.generateKeyPair();
      expect(baileys.Curve.verify(signer.public, message, Buffer.alloc(10))).toBe(false);
    });
  });

  describe('pinCertificateRoot', () => {
    it("keeps WhatsApp's root equal to Baileys' default", () => {
      // Fails after a Baileys upgrade that changes the root, so the pinned key gets reviewed.
      expect(baileysDefaultRoot.equals(WHATSAPP_ROOT_PUBLIC_KEY)).toBe(true);
    });

    it('sets the root that Baileys checks', () => {
      const root = baileys.Curve.generateKeyPair().public;
      pinCertificateRoot(baileys, root);
      expect(Buffer.from(baileys.WA_CERT_DETAILS.PUBLIC_KEY).equals(Buffer.from(root))).toBe(true);

      pinCertificateRoot(baileys, WHATSAPP_ROOT_PUBLIC_KEY);
      expect(Buffer.from(baileys.WA_CERT_DETAILS.PUBLIC_KEY).equals(WHATSAPP_ROOT_PUBLIC_KEY)).toBe(true);
    });

    it('rejects a key that is not 32 bytes', () => {
      expect(() => pinCertificateRoot(baileys, new Uint8Array(33))).toThrow('expected 32 bytes, got 33');
    });
  });
});
