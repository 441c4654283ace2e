// Pairing-code linking ("link with phone number instead"). The companion announces itself with
// `link_code_companion_reg stage=companion_hello`, carrying its ephemeral key wrapped under a key
// derived from the 8-character code it displays. When the virtual phone enters that code, it sends
// its own wrapped ephemeral key and identity (`primary_hello` notification). The companion replies
// with `companion_finish`, a key bundle encrypted under the ephemeral DH secret. If the phone can
// open that bundle, both sides derive the same ADV secret and pairing goes on exactly as after a
// QR scan. A wrong code surfaces as a bundle the phone cannot decrypt.
import { createCipheriv, createDecipheriv, hkdfSync, pbkdf2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { BinaryNode } from './baileys';
import type { Connection, PendingLinkCode, RegistrationData } from './connection';
import type { SimulatorCore } from './core';
import { e164 } from './directory';
import { LinkError, pair, type ScanResult } from './linking';
import { child, childBytes, iqResult, node, S_WHATSAPP_NET, unixNow } from './nodes';

const pbkdf2Async = promisify(pbkdf2);

/** Baileys' derivePairingCodeKey: PBKDF2-SHA256, 2 << 16 iterations, 32 bytes. */
const CODE_KEY_ITERATIONS = 2 << 16;
const SALT_BYTES = 32;
const CTR_IV_BYTES = 16;
const GCM_IV_BYTES = 12;
const GCM_TAG_BYTES = 16;
const KEY_BYTES = 32;
const WRAPPED_KEY_BYTES = SALT_BYTES + CTR_IV_BYTES + KEY_BYTES;
const BUNDLE_INFO = 'link_code_pairing_key_bundle_encryption_key';
const ADV_SECRET_INFO = 'adv_secret';
const CODE_LENGTH = 8;
/** How long the phone waits for companion_finish after primary_hello. */
const FINISH_TIMEOUT_MS = 15_000;

async function codeKey(code: string, salt: Buffer): Promise<Buffer> {
  return pbkdf2Async(code, salt, CODE_KEY_ITERATIONS, KEY_BYTES, 'sha256');
}

/** Opens salt | iv | AES-256-CTR(key). CTR has no integrity check: a wrong code yields other bytes. */
async function unwrapKey(wrapped: Buffer, code: string): Promise<Buffer> {
  const salt = wrapped.subarray(0, SALT_BYTES);
  const iv = wrapped.subarray(SALT_BYTES, SALT_BYTES + CTR_IV_BYTES);
  const decipher = createDecipheriv('aes-256-ctr', await codeKey(code, salt), iv);
  return Buffer.concat([decipher.update(wrapped.subarray(SALT_BYTES + CTR_IV_BYTES, WRAPPED_KEY_BYTES)), decipher.final()]);
}

async function wrapKey(publicKey: Uint8Array, code: string): Promise<Buffer> {
  const salt = randomBytes(SALT_BYTES);
  const iv = randomBytes(CTR_IV_BYTES);
  const cipher = createCipheriv('aes-256-ctr', await codeKey(code, salt), iv);
  return Buffer.concat([salt, iv, cipher.update(publicKey), cipher.final()]);
}

const hkdf = (ikm: Uint8Array, salt: Uint8Array, info: string): Buffer => Buffer.from(hkdfSync('sha256', ikm, salt, info, KEY_BYTES));

/** Decrypts salt (32) | iv (12) | AES-256-GCM(ciphertext | tag); undefined when authentication fails. */
function openKeyBundle(bundle: Buffer, sharedKey: Uint8Array): Buffer | undefined {
  if (bundle.length <= SALT_BYTES + GCM_IV_BYTES + GCM_TAG_BYTES) return undefined;
  const salt = bundle.subarray(0, SALT_BYTES);
  const iv = bundle.subarray(SALT_BYTES, SALT_BYTES + GCM_IV_BYTES);
  const sealed = bundle.subarray(SALT_BYTES + GCM_IV_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', hkdf(sharedKey, salt, BUNDLE_INFO), iv);
    decipher.setAuthTag(sealed.subarray(sealed.length - GCM_TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - GCM_TAG_BYTES)), decipher.final()]);
  } catch {
    return undefined;
  }
}

function iqError(request: BinaryNode, code: string, text: string): BinaryNode {
  return node('iq', { from: S_WHATSAPP_NET, type: 'error', id: request.attrs.id }, [node('error', { code, text })]);
}

/** Accepts what people type: spaces and a dash in the middle are dropped, letters upper-cased. */
export function normalizeCode(input: unknown): string | undefined {
  if (typeof input !== 'string') return undefined;
  const code = input.replace(/[\s-]/g, '').toUpperCase();
  return code.length === CODE_LENGTH ? code : undefined;
}

/** Server side of `iq xmlns=md type=set <link_code_companion_reg stage=…>`. */
export function handleLinkCodeIq(core: SimulatorCore, conn: Connection, iq: BinaryNode): void {
  const request = child(iq, 'link_code_companion_reg')!;
  const stage = request.attrs.stage;
  if (stage === 'companion_hello') return onCompanionHello(core, conn, iq, request);
  if (stage === 'companion_finish') {
    const pending = conn.role.kind === 'registration' ? conn.role.registration.linkCode : undefined;
    const onFinish = pending?.onFinish;
    if (!pending || !onFinish) {
      core.log('debug', 'companion_finish without a primary_hello', { conn: conn.id });
      conn.send(iqError(iq, '404', 'item-not-found'));
      return;
    }
    pending.onFinish = undefined;
    onFinish(iq);
    return;
  }
  core.log('debug', 'unknown link_code_companion_reg stage', { conn: conn.id, stage });
  conn.send(iqError(iq, '400', 'bad-request'));
}

function onCompanionHello(core: SimulatorCore, conn: Connection, iq: BinaryNode, request: BinaryNode): void {
  const decoded = request.attrs.jid ? core.wa.jidDecode(request.attrs.jid) : undefined;
  const phone = decoded?.server === 's.whatsapp.net' && /^\d{7,15}$/.test(decoded.user) ? decoded.user : undefined;
  const wrapped = childBytes(request, 'link_code_pairing_wrapped_companion_ephemeral_pub');
  const serverAuthKey = childBytes(request, 'companion_server_auth_key_pub');
  let refusal: string | undefined;
  if (conn.role.kind !== 'registration') refusal = 'connection is not an unlinked companion';
  else if (!phone) refusal = 'invalid jid';
  else if (wrapped?.length !== WRAPPED_KEY_BYTES) refusal = 'wrapped companion ephemeral key must be 80 bytes';
  // The companion names the Noise key it registered with; it must be this connection's.
  else if (!serverAuthKey || !conn.clientStaticPublic || Buffer.compare(serverAuthKey, conn.clientStaticPublic) !== 0) refusal = 'server auth key differs from the Noise key';
  else if (core.faults.takePairingReject(phone)) refusal = 'pairing-reject fault';
  if (refusal || conn.role.kind !== 'registration') {
    core.log('info', 'companion_hello refused', { conn: conn.id, reason: refusal });
    conn.send(iqError(iq, '400', 'bad-request'));
    return;
  }
  const pending: PendingLinkCode = {
    phone: phone!,
    ref: `2@${randomBytes(24).toString('base64')}`,
    wrappedCompanionEphemeral: wrapped!,
    platformId: childBytes(request, 'companion_platform_id')?.toString('utf8') ?? '',
    platformDisplay: childBytes(request, 'companion_platform_display')?.toString('utf8') ?? '',
  };
  // A new request from the same companion replaces the previous one, as a new code replaces the old.
  conn.role.registration.linkCode = pending;
  conn.send(iqResult(iq, [node('link_code_companion_reg', {}, [node('link_code_pairing_ref', {}, Buffer.from(pending.ref, 'utf8'))])]));
  core.log('info', 'pairing code requested', { conn: conn.id, phone: e164(pending.phone), platform: pending.platformDisplay });
}

function findPending(core: SimulatorCore, phone: string): { conn: Connection; registration: RegistrationData; pending: PendingLinkCode } | undefined {
  let found: { conn: Connection; registration: RegistrationData; pending: PendingLinkCode } | undefined;
  for (const conn of core.connections) {
    if (!conn.isOpen || conn.role.kind !== 'registration') continue;
    const pending = conn.role.registration.linkCode;
    // The newest companion wins if several asked for the same phone.
    if (pending?.phone === phone && (!found || conn.id > found.conn.id)) found = { conn, registration: conn.role.registration, pending };
  }
  return found;
}

function waitForFinish(conn: Connection, pending: PendingLinkCode): Promise<BinaryNode> {
  return new Promise((resolve, reject) => {
    const settle = (outcome: () => void) => {
      clearTimeout(timer);
      clearInterval(poll);
      pending.onFinish = undefined;
      outcome();
    };
    const timer = setTimeout(
      () => settle(() => reject(new LinkError(502, 'PAIRING_FAILED', `companion sent no companion_finish within ${FINISH_TIMEOUT_MS} ms`))),
      FINISH_TIMEOUT_MS,
    );
    // A companion that goes away must not leave the phone waiting for the whole timeout.
    const poll = setInterval(() => {
      if (!conn.isOpen) settle(() => reject(new LinkError(502, 'PAIRING_FAILED', 'companion disconnected during pairing')));
    }, 100);
    pending.onFinish = iq => settle(() => resolve(iq));
  });
}

/** Plays the user of `phone` typing `code` under "Link with phone number" and completes the pairing. */
export async function enterPairingCode(core: SimulatorCore, phone: string, rawCode: unknown, pushName: string | undefined): Promise<ScanResult> {
  const code = normalizeCode(rawCode);
  if (!code) throw new LinkError(400, 'INVALID_CODE', `code must be the ${CODE_LENGTH}-character pairing code the companion shows`);
  const found = findPending(core, phone);
  if (!found) throw new LinkError(404, 'PAIRING_NOT_FOUND', `no companion is waiting for a pairing code for ${e164(phone)}`);
  const { conn, registration, pending } = found;
  if (registration.pairing) throw new LinkError(409, 'PAIRING_IN_PROGRESS', 'this companion is already being linked');
  registration.pairing = true;
  try {
    const { Curve } = core.wa;
    const companionEphemeral = await unwrapKey(pending.wrappedCompanionEphemeral, code);
    const account = core.directory.getOrCreateAccount(phone);
    const primaryIdentity = account.peer.creds.signedIdentityKey;
    const primaryEphemeral = Curve.generateKeyPair();
    const finished = waitForFinish(conn, pending);
    conn.send(
      node('notification', { from: S_WHATSAPP_NET, type: 'link_code_companion_reg', id: conn.nextId(), t: unixNow() }, [
        node('link_code_companion_reg', { stage: 'primary_hello' }, [
          node('link_code_pairing_wrapped_primary_ephemeral_pub', {}, await wrapKey(primaryEphemeral.public, code)),
          node('primary_identity_pub', {}, Buffer.from(primaryIdentity.public)),
          node('link_code_pairing_ref', {}, Buffer.from(pending.ref, 'utf8')),
        ]),
      ]),
    );
    const finish = await finished;
    const request = child(finish, 'link_code_companion_reg');
    const ref = childBytes(request, 'link_code_pairing_ref')?.toString('utf8');
    const claimedIdentity = childBytes(request, 'companion_identity_public');
    const bundle = childBytes(request, 'link_code_pairing_wrapped_key_bundle');
    if (ref !== pending.ref || !bundle || claimedIdentity?.length !== KEY_BYTES) {
      conn.send(iqError(finish, '400', 'bad-request'));
      throw new LinkError(502, 'PAIRING_FAILED', 'companion_finish does not match the pending request');
    }
    const companionShared = Curve.sharedKey(primaryEphemeral.private, companionEphemeral);
    const opened = openKeyBundle(bundle, companionShared);
    if (!opened) {
      // Each side unwrapped the other's ephemeral key with its own code, so the DH secrets differ.
      conn.send(iqError(finish, '401', 'not-authorized'));
      throw new LinkError(409, 'PAIRING_CODE_MISMATCH', 'the code does not match the one the companion shows');
    }
    const companionIdentity = opened.subarray(0, KEY_BYTES);
    const echoedPrimary = opened.subarray(KEY_BYTES, 2 * KEY_BYTES);
    const random = opened.subarray(2 * KEY_BYTES);
    if (
      Buffer.compare(companionIdentity, claimedIdentity) !== 0 ||
      Buffer.compare(companionIdentity, registration.identityPublic) !== 0 ||
      Buffer.compare(echoedPrimary, Buffer.from(primaryIdentity.public)) !== 0
    ) {
      conn.send(iqError(finish, '400', 'bad-request'));
      throw new LinkError(502, 'PAIRING_FAILED', 'companion key bundle names other identities');
    }
    const identityShared = Curve.sharedKey(primaryIdentity.private, companionIdentity);
    const advSecret = hkdf(Buffer.concat([companionShared, identityShared, random]), Buffer.alloc(0), ADV_SECRET_INFO);
    conn.send(iqResult(finish));
    registration.linkCode = undefined;
    core.log('info', 'pairing code accepted', { conn: conn.id, phone: e164(phone) });
    return await pair(core, conn, registration, companionIdentity, advSecret, phone, pushName);
  } finally {
    registration.pairing = false;
  }
}
