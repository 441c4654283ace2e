// The simulated phone's side of QR linking: parse what the companion showed, build the ADV device
// identity signed with the phone's account key and HMAC'd with the companion's ADV secret, and check
// the device signature the companion sends back.
import { createHmac } from 'node:crypto';
import type { Baileys } from './baileys';
import { verifySignature } from './baileys';
import type { KeyPair } from './noise';

const QR_PREFIX = 'https://wa.me/settings/linked_devices#';
const ADV_ACCOUNT_SIG_PREFIX = Buffer.from([6, 0]);
const ADV_DEVICE_SIG_PREFIX = Buffer.from([6, 1]);

export interface ParsedQr {
  ref: string;
  noisePublic: Buffer;
  identityPublic: Buffer;
  advSecret: Buffer;
  platform: string;
}

/** Returns undefined for anything that is not the five-field QR Baileys emits. */
export function parseQr(qr: unknown): ParsedQr | undefined {
  if (typeof qr !== 'string') return undefined;
  const body = qr.startsWith(QR_PREFIX) ? qr.slice(QR_PREFIX.length) : qr;
  const parts = body.split(',');
  if (parts.length < 4 || parts.length > 5 || !parts[0]) return undefined;
  const [ref, noiseB64, identityB64, advB64, platform = ''] = parts;
  const noisePublic = Buffer.from(noiseB64, 'base64');
  const identityPublic = Buffer.from(identityB64, 'base64');
  const advSecret = Buffer.from(advB64, 'base64');
  if (noisePublic.length !== 32 || identityPublic.length !== 32 || advSecret.length !== 32) return undefined;
  return { ref, noisePublic, identityPublic, advSecret, platform };
}

export interface DeviceIdentityBundle {
  /** ADVSignedDeviceIdentityHMAC bytes: the content of pair-success/device-identity. */
  container: Uint8Array;
  /** Encoded ADVDeviceIdentity the companion signs back. */
  deviceDetails: Uint8Array;
}

export function buildDeviceIdentity(
  wa: Baileys,
  account: KeyPair,
  rawId: number,
  keyIndex: number,
  companionIdentity: Uint8Array,
  advSecret: Uint8Array,
  options: { forgeAccountSignature?: boolean } = {},
): DeviceIdentityBundle {
  const { proto, Curve } = wa;
  // A forged identity still names the real account key but is signed by another one.
  const signer = options.forgeAccountSignature ? Curve.generateKeyPair() : account;
  const deviceDetails = proto.ADVDeviceIdentity.encode({
    rawId,
    timestamp: Math.floor(Date.now() / 1000),
    keyIndex,
    accountType: proto.ADVEncryptionType.E2EE,
    deviceType: proto.ADVEncryptionType.E2EE,
  }).finish();
  const accountSignature = Curve.sign(signer.private, Buffer.concat([ADV_ACCOUNT_SIG_PREFIX, deviceDetails, companionIdentity]));
  const signed = proto.ADVSignedDeviceIdentity.encode({
    details: deviceDetails,
    accountSignatureKey: account.public,
    accountSignature,
  }).finish();
  const hmac = createHmac('sha256', advSecret).update(signed).digest();
  const container = proto.ADVSignedDeviceIdentityHMAC.encode({ details: signed, hmac }).finish();
  return { container, deviceDetails };
}

/**
 * Checks the ADVSignedDeviceIdentity from pair-device-sign: same details as sent, and a valid
 * device signature by the companion's identity key over details, its identity and the account key.
 */
export function verifyDeviceSign(
  wa: Baileys,
  signedIdentity: Uint8Array,
  expectedDetails: Uint8Array,
  companionIdentity: Uint8Array,
  accountPublic: Uint8Array,
): { ok: true; keyIndex: number } | { ok: false; reason: string } {
  const { proto } = wa;
  let decoded;
  try {
    decoded = proto.ADVSignedDeviceIdentity.decode(signedIdentity);
  } catch {
    return { ok: false, reason: 'undecodable device identity' };
  }
  if (!decoded.details || Buffer.compare(Buffer.from(decoded.details), Buffer.from(expectedDetails)) !== 0) {
    return { ok: false, reason: 'device details differ from the ones sent' };
  }
  if (!decoded.deviceSignature) return { ok: false, reason: 'missing device signature' };
  const message = Buffer.concat([ADV_DEVICE_SIG_PREFIX, decoded.details, companionIdentity, accountPublic]);
  if (!verifySignature(companionIdentity, message, decoded.deviceSignature)) {
    return { ok: false, reason: 'invalid device signature' };
  }
  const details = proto.ADVDeviceIdentity.decode(decoded.details);
  return { ok: true, keyIndex: details.keyIndex ?? 0 };
}

/** ADVSignedKeyIndexList for usync device replies: which key indexes of the account are valid. */
export function buildKeyIndexList(wa: Baileys, account: KeyPair, rawId: number, keyIndexes: number[]): Uint8Array {
  const { proto, Curve } = wa;
  const details = proto.ADVKeyIndexList.encode({
    rawId,
    timestamp: Math.floor(Date.now() / 1000),
    currentIndex: keyIndexes.length ? Math.max(...keyIndexes) : 0,
    validIndexes: keyIndexes,
  }).finish();
  const accountSignature = Curve.sign(account.private, Buffer.concat([Buffer.from([6, 2]), details]));
  return proto.ADVSignedKeyIndexList.encode({ details, accountSignature }).finish();
}
