// The phone scanning a companion's QR. It finds the live connection showing that ref, sends
// pair-success with the ADV identity and checks the companion's signature. Then it stores the
// device and sends stream error 515, so the client restarts and logs in with its new identity.
import type { SimulatorCore } from './core';
import type { Connection, QrRef, RegistrationData } from './connection';
import { e164 } from './directory';
import { node, S_WHATSAPP_NET, unixNow } from './nodes';
import { buildDeviceIdentity, parseQr, verifyDeviceSign } from './pairing';
import { bytes, child } from './nodes';

export class LinkError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Baileys' default QR schedule: the first ref lives 60 s, each later one 20 s. */
const DEFAULT_FIRST_REF_MS = 60_000;
const DEFAULT_NEXT_REF_MS = 20_000;
const PAIR_SUCCESS_TIMEOUT_MS = 15_000;

/**
 * Checks whether the client still shows a ref. The server cannot see the client's QR timer, so it
 * models it. With a known `qrTimeoutMs` a ref is scannable only inside its own display window plus
 * some slack. Without it only the end under Baileys' default schedule is enforced, because a
 * shorter client timer shows later refs earlier than that schedule.
 */
function refIsLive(registration: RegistrationData, ref: QrRef, qrTimeoutMs: number | undefined, now: number): boolean {
  const shownAt = registration.shownAt ?? now;
  if (qrTimeoutMs) {
    const slack = Math.min(1_000, qrTimeoutMs / 2);
    return now >= shownAt + ref.index * qrTimeoutMs - slack && now < shownAt + (ref.index + 1) * qrTimeoutMs + slack;
  }
  return now < shownAt + DEFAULT_FIRST_REF_MS + ref.index * DEFAULT_NEXT_REF_MS;
}

export interface ScanResult {
  phoneNumber: string;
  jid: string;
  lid: string;
}

export async function scanQr(core: SimulatorCore, qr: unknown, phone: string, pushName: string | undefined): Promise<ScanResult> {
  const parsed = parseQr(qr);
  if (!parsed) throw new LinkError(400, 'INVALID_QR', 'QR string is not a WhatsApp linking code');
  const now = Date.now();
  let conn: Connection | undefined;
  let registration: RegistrationData | undefined;
  for (const candidate of core.connections) {
    if (!candidate.isOpen || candidate.role.kind !== 'registration') continue;
    const ref = candidate.role.registration.refs.find(r => r.ref === parsed.ref);
    if (ref && refIsLive(candidate.role.registration, ref, core.options.qrTimeoutMs, now)) {
      conn = candidate;
      registration = candidate.role.registration;
      break;
    }
  }
  if (!conn || !registration) throw new LinkError(404, 'QR_NOT_FOUND', 'no connected companion shows this QR (expired, rotated or closed)');
  if (!conn.clientStaticPublic || Buffer.compare(conn.clientStaticPublic, parsed.noisePublic) !== 0) {
    throw new LinkError(409, 'NOISE_KEY_MISMATCH', 'QR noise key does not match the connection that shows it');
  }
  if (Buffer.compare(registration.identityPublic, parsed.identityPublic) !== 0) {
    throw new LinkError(409, 'IDENTITY_KEY_MISMATCH', 'QR identity key does not match the registering companion');
  }
  if (registration.pairing) throw new LinkError(409, 'PAIRING_IN_PROGRESS', 'this QR is already being linked');
  if (registration.refreshedAt !== undefined) {
    // Every ref came with the pair-device before the refresh, so its ADV secret is retired: the
    // phone's link attempt fails and no pair-success reaches the companion.
    throw new LinkError(409, 'PAIRING_FAILED', 'the server retired this QR (companion_reg_refresh); the phone reports a failed link');
  }
  registration.pairing = true;
  try {
    return await pair(core, conn, registration, parsed.identityPublic, parsed.advSecret, phone, pushName);
  } finally {
    registration.pairing = false;
  }
}

/** Sends pair-success, checks the companion's pair-device-sign, stores the device and asks for a restart. */
export async function pair(
  core: SimulatorCore,
  conn: Connection,
  registration: RegistrationData,
  companionIdentity: Buffer,
  advSecret: Buffer,
  phone: string,
  pushName: string | undefined,
): Promise<ScanResult> {
  const { directory } = core;
  const account = directory.getOrCreateAccount(phone);
  if (pushName) account.pushName = pushName;
  // Reserve the ids before waiting for the companion, so concurrent scans for one phone never
  // share a device id. Ids of failed pairings are not reused.
  const keyIndex = account.nextKeyIndex++;
  const deviceId = account.nextDeviceId++;
  directory.changed();
  const accountKey = account.peer.creds.signedIdentityKey;
  const identity = buildDeviceIdentity(core.wa, accountKey, account.advRawId, keyIndex, companionIdentity, advSecret, {
    forgeAccountSignature: core.options.forgeAccountSignature,
  });
  const jid = directory.deviceJid(account, deviceId);
  const lid = directory.deviceLid(account, deviceId);

  const request = node('iq', { from: S_WHATSAPP_NET, type: 'set', id: conn.nextId(), xmlns: 'md', t: unixNow() }, [
    // pair-success must be the first child: Baileys dispatches on it.
    node('pair-success', {}, [
      node('device-identity', {}, Buffer.from(identity.container)),
      node('platform', { name: 'android' }),
      node('device', { jid, lid }),
      // The biz name becomes creds.me.name; without it Baileys never goes "available".
      node('biz', { name: account.pushName ?? e164(phone) }),
    ]),
  ]);

  let reply;
  try {
    reply = await conn.query(request, PAIR_SUCCESS_TIMEOUT_MS);
  } catch (error) {
    throw new LinkError(502, 'PAIRING_FAILED', `companion did not confirm pairing: ${String((error as Error).message)}`);
  }
  const signed = bytes(child(child(reply, 'pair-device-sign'), 'device-identity'));
  const check = signed
    ? verifyDeviceSign(core.wa, signed, identity.deviceDetails, companionIdentity, accountKey.public)
    : ({ ok: false, reason: 'no device identity in reply' } as const);
  if (!check.ok) {
    conn.close();
    throw new LinkError(502, 'PAIRING_FAILED', `companion device signature rejected: ${check.reason}`);
  }

  account.devices[String(deviceId)] = {
    id: deviceId,
    keyIndex,
    noisePublic: Buffer.from(conn.clientStaticPublic!),
    identityPublic: companionIdentity,
    registrationId: registration.registrationId,
    signedPreKey: registration.signedPreKey,
    preKeys: {},
    platform: registration.platform,
    linkedAt: Math.floor(Date.now() / 1000),
    pending: [],
  };
  directory.changed();
  core.log('info', 'companion linked', { phone: e164(phone), deviceId, keyIndex, conn: conn.id });
  // Like the real server, request a restart so the client logs in with its new identity.
  conn.streamError('515');
  return { phoneNumber: e164(phone), jid, lid };
}
