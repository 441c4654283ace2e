// Server side of WhatsApp's Noise_XX_25519_AESGCM_SHA256 handshake and the framed transport after it.
// It mirrors Baileys' client state machine (Utils/noise-handler.js): one running hash, one chaining
// key, one shared key and nonce during the handshake, then two directional keys with own counters.
import { createCipheriv, createDecipheriv, createHash, hkdfSync } from 'node:crypto';
import type { Baileys } from './baileys';

export interface KeyPair {
  private: Uint8Array;
  public: Uint8Array;
}

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

const ivFor = (counter: number): Buffer => {
  const iv = Buffer.alloc(12);
  iv.writeUInt32BE(counter >>> 0, 8);
  return iv;
};

function gcmEncrypt(key: Uint8Array, counter: number, aad: Uint8Array, plaintext: Uint8Array): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, ivFor(counter));
  cipher.setAAD(aad);
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

function gcmDecrypt(key: Uint8Array, counter: number, aad: Uint8Array, ciphertext: Uint8Array): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, ivFor(counter));
  decipher.setAAD(aad);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  return Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
}

/** HKDF-SHA256 with an empty info string, as Baileys' `hkdf(data, 64, {salt, info: ''})`. */
function hkdf64(ikm: Uint8Array, salt: Uint8Array): [Buffer, Buffer] {
  const out = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.alloc(0), 64));
  return [out.subarray(0, 32), out.subarray(32)];
}

export interface HandshakeResult {
  clientStaticPublic: Buffer;
  clientPayload: Buffer;
}

/**
 * Byte-level framing and crypto for one connection. The caller feeds raw WebSocket data in and gets
 * whole frames out; during the handshake frames are protobuf `HandshakeMessage`s, afterwards they are
 * decrypted binary-node bytes.
 */
export class NoiseServer {
  private hash: Buffer;
  private chainingKey: Buffer;
  private key: Buffer;
  private counter = 0;
  private inBytes = Buffer.alloc(0);
  private introParsed = false;
  private waHeader: Buffer | undefined;
  private ephemeral: KeyPair | undefined;
  private sendKey: Buffer | undefined;
  private recvKey: Buffer | undefined;
  private sendCounter = 0;
  private recvCounter = 0;

  constructor(
    private readonly wa: Baileys,
    private readonly serverStatic: KeyPair,
    private readonly certChain: Uint8Array,
  ) {
    const mode = Buffer.from(wa.NOISE_MODE);
    // The mode string is exactly 32 bytes long, so Noise uses it as-is instead of hashing it.
    this.hash = mode.length === 32 ? mode : sha256(mode);
    this.chainingKey = this.hash;
    this.key = this.hash;
  }

  get inTransport(): boolean {
    return this.sendKey !== undefined;
  }

  /** Appends raw bytes and returns every complete frame body now available. */
  pushBytes(data: Uint8Array): Buffer[] {
    this.inBytes = this.inBytes.length === 0 ? Buffer.from(data) : Buffer.concat([this.inBytes, data]);
    if (!this.introParsed && !this.parseIntro()) return [];
    const frames: Buffer[] = [];
    while (this.inBytes.length >= 3) {
      const size = (this.inBytes[0] << 16) | (this.inBytes[1] << 8) | this.inBytes[2];
      if (this.inBytes.length < size + 3) break;
      frames.push(Buffer.from(this.inBytes.subarray(3, size + 3)));
      this.inBytes = this.inBytes.subarray(size + 3);
    }
    return frames;
  }

  /** Reads the client intro: `WA 06 03`, optionally preceded by `ED 00 01 <len24> <routing info>`. */
  private parseIntro(): boolean {
    let offset = 0;
    if (this.inBytes.length >= 2 && this.inBytes[0] === 0x45 && this.inBytes[1] === 0x44) {
      if (this.inBytes.length < 7) return false;
      const routingLength = (this.inBytes[4] << 16) | this.inBytes.readUInt16BE(5);
      offset = 7 + routingLength;
    }
    if (this.inBytes.length < offset + 4) return false;
    this.waHeader = Buffer.from(this.inBytes.subarray(offset, offset + 4));
    if (this.waHeader[0] !== 0x57 || this.waHeader[1] !== 0x41) {
      throw new Error('invalid intro header');
    }
    this.inBytes = this.inBytes.subarray(offset + 4);
    this.introParsed = true;
    return true;
  }

  private authenticate(data: Uint8Array): void {
    this.hash = sha256(this.hash, data);
  }

  private mixIntoKey(dh: Uint8Array): void {
    const [chainingKey, key] = hkdf64(dh, this.chainingKey);
    this.chainingKey = chainingKey;
    this.key = key;
    this.counter = 0;
  }

  private encryptHandshake(plaintext: Uint8Array): Buffer {
    const result = gcmEncrypt(this.key, this.counter++, this.hash, plaintext);
    this.authenticate(result);
    return result;
  }

  private decryptHandshake(ciphertext: Uint8Array): Buffer {
    const result = gcmDecrypt(this.key, this.counter++, this.hash, ciphertext);
    this.authenticate(ciphertext);
    return result;
  }

  /** Handles the client hello frame and returns the server hello frame body. */
  onClientHello(frame: Uint8Array): Buffer {
    const { proto, Curve } = this.wa;
    const message = proto.HandshakeMessage.decode(frame);
    const clientEphemeral = message.clientHello?.ephemeral;
    if (!clientEphemeral || clientEphemeral.length !== 32) throw new Error('client hello without ephemeral key');
    this.clientEphemeral = Buffer.from(clientEphemeral);
    this.authenticate(this.waHeader ?? this.wa.NOISE_WA_HEADER);
    this.authenticate(this.clientEphemeral);
    this.ephemeral = Curve.generateKeyPair();
    this.authenticate(this.ephemeral.public);
    this.mixIntoKey(Curve.sharedKey(this.ephemeral.private, this.clientEphemeral));
    const staticEnc = this.encryptHandshake(this.serverStatic.public);
    this.mixIntoKey(Curve.sharedKey(this.serverStatic.private, this.clientEphemeral));
    const payloadEnc = this.encryptHandshake(this.certChain);
    return Buffer.from(
      proto.HandshakeMessage.encode({
        serverHello: { ephemeral: this.ephemeral.public, static: staticEnc, payload: payloadEnc },
      }).finish(),
    );
  }

  private clientEphemeral: Buffer | undefined;

  /** Handles the client finish frame; switches to transport mode and returns the client's static key and payload. */
  onClientFinish(frame: Uint8Array): HandshakeResult {
    const { proto, Curve } = this.wa;
    if (!this.ephemeral) throw new Error('client finish before hello');
    const message = proto.HandshakeMessage.decode(frame);
    const finish = message.clientFinish;
    if (!finish?.static || !finish.payload) throw new Error('client finish without static or payload');
    const clientStaticPublic = this.decryptHandshake(finish.static);
    this.mixIntoKey(Curve.sharedKey(this.ephemeral.private, clientStaticPublic));
    const clientPayload = this.decryptHandshake(finish.payload);
    // The client encrypts with the first half and decrypts with the second, so the server swaps them.
    const [clientWrite, clientRead] = hkdf64(Buffer.alloc(0), this.chainingKey);
    this.recvKey = clientWrite;
    this.sendKey = clientRead;
    return { clientStaticPublic, clientPayload };
  }

  /** Decrypts one transport frame into binary-node bytes. */
  decryptFrame(frame: Uint8Array): Buffer {
    if (!this.recvKey) throw new Error('transport not ready');
    return gcmDecrypt(this.recvKey, this.recvCounter++, Buffer.alloc(0), frame);
  }

  /** Builds a length-prefixed frame; the body is encrypted once the transport is ready. */
  encodeFrame(body: Uint8Array): Buffer {
    const data = this.sendKey ? gcmEncrypt(this.sendKey, this.sendCounter++, Buffer.alloc(0), body) : Buffer.from(body);
    const frame = Buffer.alloc(3 + data.length);
    frame[0] = (data.length >>> 16) & 0xff;
    frame[1] = (data.length >>> 8) & 0xff;
    frame[2] = data.length & 0xff;
    data.copy(frame, 3);
    return frame;
  }
}
