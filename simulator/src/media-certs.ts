// A test certificate authority and a server certificate for the loopback media host, built with
// node:crypto alone: Node can parse X.509 but not issue it, so the DER is written here by hand
// (RFC 5280 v3 certificates with ECDSA P-256 keys and SHA-256 signatures).
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function der(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);
}

const sequence = (...parts: Buffer[]) => der(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]) => der(0x31, Buffer.concat(parts));
const octetString = (content: Buffer) => der(0x04, content);
const utf8 = (text: string) => der(0x0c, Buffer.from(text, 'utf8'));
const explicit = (tagNumber: number, content: Buffer) => der(0xa0 + tagNumber, content);
const booleanTrue = Buffer.from([0x01, 0x01, 0xff]);

/** A DER INTEGER from unsigned big-endian bytes; a leading zero keeps it positive. */
function integer(bytes: Buffer): Buffer {
  let value = bytes;
  while (value.length > 1 && value[0] === 0 && value[1] < 0x80) value = value.subarray(1);
  if (value[0] >= 0x80) value = Buffer.concat([Buffer.from([0]), value]);
  return der(0x02, value);
}

function bitString(content: Buffer, unusedBits = 0): Buffer {
  return der(0x03, Buffer.concat([Buffer.from([unusedBits]), content]));
}

function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let value = arc >> 7; value > 0; value >>= 7) chunk.unshift((value & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}

/** UTCTime for years before 2050, GeneralizedTime after, as RFC 5280 requires. */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return date.getUTCFullYear() < 2050 ? der(0x17, Buffer.from(`${iso.slice(2)}Z`)) : der(0x18, Buffer.from(`${iso}Z`));
}

const name = (commonName: string) => sequence(set(sequence(oid('2.5.4.3'), utf8(commonName))));
const extension = (id: string, value: Buffer, critical = false) => sequence(oid(id), ...(critical ? [booleanTrue] : []), octetString(value));
const ECDSA_WITH_SHA256 = sequence(oid('1.2.840.10045.4.3.2'));

/** The SHA-1 of the public key bits, the usual key identifier (RFC 5280 section 4.2.1.2). */
function keyIdentifier(publicKey: KeyObject): Buffer {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  // The key bits are the tail of the SPKI: for P-256 the 65-byte uncompressed point.
  return createHash('sha1').update(spki.subarray(spki.length - 65)).digest();
}

interface CertificateRequest {
  subject: string;
  issuer: string;
  subjectKey: KeyObject;
  issuerKey: KeyObject;
  issuerPublicKey: KeyObject;
  validDays: number;
  ca: boolean;
  /** Subject alternative names of a server certificate: DNS names and IPv4 addresses. */
  dnsNames?: string[];
  ipAddresses?: string[];
}

function issue(request: CertificateRequest): string {
  const now = Date.now();
  const extensions = [
    extension('2.5.29.19', request.ca ? sequence(booleanTrue) : sequence(), true),
    // keyCertSign and cRLSign for the authority, digitalSignature for the server.
    extension('2.5.29.15', request.ca ? bitString(Buffer.from([0x06]), 1) : bitString(Buffer.from([0x80]), 7), true),
    extension('2.5.29.14', octetString(keyIdentifier(request.subjectKey))),
    extension('2.5.29.35', sequence(der(0x80, keyIdentifier(request.issuerPublicKey)))),
  ];
  if (!request.ca) {
    extensions.push(extension('2.5.29.37', sequence(oid('1.3.6.1.5.5.7.3.1'))));
    const names = [
      ...(request.dnsNames ?? []).map(dns => der(0x82, Buffer.from(dns, 'ascii'))),
      ...(request.ipAddresses ?? []).map(ip => der(0x87, Buffer.from(ip.split('.').map(Number)))),
    ];
    extensions.push(extension('2.5.29.17', sequence(...names)));
  }
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    ECDSA_WITH_SHA256,
    name(request.issuer),
    // One hour back, so a clock that runs slightly behind still accepts it.
    sequence(time(new Date(now - 3_600_000)), time(new Date(now + request.validDays * 86_400_000))),
    name(request.subject),
    request.subjectKey.export({ type: 'spki', format: 'der' }),
    explicit(3, sequence(...extensions)),
  );
  const signature = sign('sha256', tbs, request.issuerKey);
  const certificate = sequence(tbs, ECDSA_WITH_SHA256, bitString(signature));
  const lines = certificate.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

export interface CertificateAuthority {
  certPem: string;
  keyPem: string;
}

export interface ServerCredentials {
  certPem: string;
  keyPem: string;
}

/** A new test certificate authority, valid for ten years. */
export function createCertificateAuthority(commonName = 'Charla WhatsApp simulator test CA'): CertificateAuthority {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const certPem = issue({ subject: commonName, issuer: commonName, subjectKey: publicKey, issuerKey: privateKey, issuerPublicKey: publicKey, validDays: 3650, ca: true });
  return { certPem, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** A server certificate for 127.0.0.1 and localhost, signed by the authority and valid for 30 days. */
export function issueServerCertificate(authority: CertificateAuthority): ServerCredentials {
  const issuerKey = createPrivateKey(authority.keyPem);
  const issuerCert = new X509Certificate(authority.certPem);
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const certPem = issue({
    subject: '127.0.0.1',
    issuer: issuerCert.subject.replace(/^CN=/, ''),
    subjectKey: publicKey,
    issuerKey,
    issuerPublicKey: issuerCert.publicKey,
    validDays: 30,
    ca: false,
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
  });
  return { certPem, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}
