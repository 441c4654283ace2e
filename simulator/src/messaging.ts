// Message traffic between linked devices and virtual contacts. Outbound: decrypt what companions
// send, ack it and send delivery receipts. Inbound: encrypt contact messages to every linked
// device, or queue them for devices that are offline.
import { randomBytes } from 'node:crypto';
import type { BinaryNode } from './baileys';
import type { Connection } from './connection';
import type { SimulatorCore } from './core';
import { e164 } from './directory';
import { answerMediaRetry, receiveMedia } from './contact-media';
import { takeDeviceBundle } from './iq-handlers';
import { describeMessage, type InboxView } from './inbox-decode';
import { logMessage, type ProtoMessage } from './message-log';
import { child, childBytes, children, node, readUIntBE, unixNow } from './nodes';
import type { PeerBundle } from './signal-peer';
import type { AccountState, ContactState, DeviceState } from './state-store';

export class AccountNotLinkedError extends Error {}

/** Serializes work per contact so a session is never injected twice concurrently. */
const contactLocks = new WeakMap<ContactState, Promise<unknown>>();

function withContactLock<T>(contact: ContactState, work: () => Promise<T>): Promise<T> {
  const previous = contactLocks.get(contact) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(work);
  contactLocks.set(contact, next);
  return next;
}

type EncType = 'pkmsg' | 'msg';

interface Recipient {
  jid: string;
  enc: BinaryNode;
}

function recipientsOf(message: BinaryNode): Recipient[] {
  const participants = child(message, 'participants');
  if (participants) {
    return children(participants, 'to').flatMap(to => children(to, 'enc').map(enc => ({ jid: to.attrs.jid, enc })));
  }
  // Peer messages carry a single enc addressed by the stanza's own `to`.
  return children(message, 'enc').map(enc => ({ jid: message.attrs.to, enc }));
}

/** Handles a companion's message: acks it, decrypts every copy meant for simulated peers, confirms delivery. */
export async function handleMessage(core: SimulatorCore, conn: Connection, message: BinaryNode): Promise<void> {
  const login = conn.login;
  const { id, to } = message.attrs;
  if (!id || !to) return;
  const account = login && core.directory.account(login.phone);
  if (login && account && isRestrictedSend(core, account, login.deviceId, to)) {
    // Like a restricted account: the server rejects the new chat and delivers nothing.
    // NOTE: only contacts who wrote first count as existing chats, not chats the account opened earlier.
    conn.send(node('ack', { class: 'message', id, from: to, t: unixNow(), error: '463' }));
    core.log('info', 'outbound message refused with 463 (restrict fault)', { id, to, deviceId: login.deviceId });
    return;
  }
  conn.send(node('ack', { class: 'message', id, from: to, t: unixNow() }));
  if (!login || !account) return;
  const senderJid = core.directory.deviceJid(account, login.deviceId);
  const delivered = new Set<string>();
  for (const { jid, enc } of recipientsOf(message)) {
    const type = enc.attrs.type as EncType;
    if ((type !== 'pkmsg' && type !== 'msg') || !(enc.content instanceof Uint8Array)) {
      core.log('debug', 'skipping enc of unsupported type', { id, jid, type });
      continue;
    }
    const resolved = core.directory.resolve(jid);
    try {
      if (resolved?.kind === 'contact') {
        const contact = resolved.contact;
        const decrypted = await withContactLock(contact, () =>
          core.directory.contactPeer(contact).decryptMessage(senderJid, type, enc.content as Uint8Array),
        );
        recordInbox(core, account, contact, id, decrypted);
        delivered.add(core.wa.jidNormalizedUser(to));
      } else if (resolved?.kind === 'account' && resolved.account === account && resolved.deviceId === 0) {
        // The phone decrypts its copy (deviceSentMessage or peer message) so its Signal state stays in step.
        await core.directory.accountPeer(account).decryptMessage(senderJid, type, enc.content as Uint8Array);
      } else {
        core.log('debug', 'no simulated recipient for enc', { id, jid });
      }
    } catch (error) {
      core.log('warn', 'could not decrypt outbound message copy', { id, jid, type, error: String((error as Error)?.message ?? error) });
    }
  }
  // Virtual contacts are always online: they confirm delivery right away.
  for (const chat of delivered) conn.send(node('receipt', { from: chat, id, t: unixNow() }));
}

/** A 1:1 send from a restricted device to a contact who never wrote to the account first. */
function isRestrictedSend(core: SimulatorCore, account: AccountState, deviceId: number, to: string): boolean {
  if (!core.faults.has(account.phone, deviceId, 'restrict')) return false;
  const resolved = core.directory.resolve(to);
  // Messages to the account's own devices (peer messages) and to things that are not users pass.
  if (resolved?.kind !== 'contact') return false;
  return !(resolved.contact.wroteTo ?? []).includes(account.phone);
}

function recordInbox(core: SimulatorCore, account: AccountState, contact: ContactState, id: string, decrypted: ProtoMessage): void {
  if (contact.inbox.some(item => item.waMessageId === id)) return;
  const received = receiveMedia(core, id, decrypted);
  const view: InboxView = received ? { type: received.type, ...(received.content ? { content: received.content } : {}) } : describeMessage(core.wa, decrypted);
  contact.inbox.push({
    waMessageId: id,
    from: e164(account.phone),
    to: e164(contact.phone),
    ...view,
    ...(received ? { media: received.media } : {}),
    timestamp: new Date().toISOString(),
    status: 'delivered',
  });
  // An edit or a delete also marks the message it changes, so the inbox shows the current state.
  const target = (view.type === 'edit' || view.type === 'delete') && contact.inbox.find(item => item.waMessageId === view.message?.waMessageId);
  if (target && view.type === 'edit') Object.assign(target, { edited: true, content: view.content ?? target.content });
  if (target && view.type === 'delete') target.deleted = true;
  if (view.type !== 'edit' && view.type !== 'delete') {
    logMessage(contact, { waMessageId: id, account: account.phone, fromContact: false, encoded: core.wa.proto.Message.encode(decrypted).finish() });
  }
  core.directory.changed();
  core.log('debug', 'contact received a message', { id, type: view.type, from: e164(account.phone), to: e164(contact.phone) });
}

/** Acks receipts from companions; a retry receipt also makes the contact resend over a new session. */
export async function handleReceipt(core: SimulatorCore, conn: Connection, receipt: BinaryNode): Promise<void> {
  const { id, to, type } = receipt.attrs;
  conn.send(node('ack', { class: 'receipt', id, from: to, type }));
  if (type === 'retry') {
    await resendAfterRetry(core, conn, receipt);
    return;
  }
  if (type === 'server-error') {
    answerMediaRetry(core, conn, receipt);
    return;
  }
  // Any other receipt (delivery, inactive, read) confirms the message, and the ids in its list.
  const login = conn.login;
  if (login && id) {
    const listed = children(child(receipt, 'list') ?? node('list', {}), 'item').map(item => item.attrs.id).filter(Boolean);
    core.acknowledge(login.phone, login.deviceId, [id, ...listed]);
    if ((type === 'read' || type === 'read-self') && to) recordRead(core, login.phone, to, [id, ...listed]);
  }
}

/** The contact sees that the account read its messages, as a phone shows blue ticks. */
function recordRead(core: SimulatorCore, accountPhone: string, chatJid: string, ids: string[]): void {
  const resolved = core.directory.resolve(chatJid, false);
  if (resolved?.kind !== 'contact') return;
  const now = unixNow();
  let count = 0;
  for (const entry of resolved.contact.messages ?? []) {
    if (!entry.fromContact || entry.account !== accountPhone || entry.readAt || !ids.includes(entry.waMessageId)) continue;
    entry.readAt = Number(now);
    count++;
  }
  if (count === 0) return;
  core.directory.changed();
  core.log('debug', 'account read contact messages', { from: e164(accountPhone), contact: e164(resolved.contact.phone), count });
}

/** What a contact sent, newest last, with whether the account read it. */
export function sentByContact(core: SimulatorCore, contactPhone: string): { waMessageId: string; to: string; readAt: number | null }[] {
  const contact = core.directory.contact(contactPhone);
  return (contact?.messages ?? [])
    .filter(entry => entry.fromContact)
    .map(entry => ({ waMessageId: entry.waMessageId, to: e164(entry.account), readAt: entry.readAt ?? null }));
}

/** Maximum resends of one message, as a guard against resend loops. */
const MAX_RESENDS = 10;
/** Number of recent contact messages kept in memory for resends after a retry receipt. */
const RECENT_LIMIT = 500;

interface SentByContact {
  contactPhone: string;
  accountPhone: string;
  encoded: Uint8Array;
  stanza: StanzaOptions;
  t: string;
  resends: number;
}

const recentByCore = new WeakMap<SimulatorCore, Map<string, SentByContact>>();

function recentMessages(core: SimulatorCore): Map<string, SentByContact> {
  let recent = recentByCore.get(core);
  if (!recent) {
    recent = new Map();
    recentByCore.set(core, recent);
  }
  return recent;
}

function rememberSent(core: SimulatorCore, id: string, sent: SentByContact): void {
  const recent = recentMessages(core);
  recent.set(id, sent);
  if (recent.size > RECENT_LIMIT) recent.delete(recent.keys().next().value!);
}

/**
 * Resends a contact message after a device reported it could not decrypt it. The contact drops
 * its session with that device and starts a new one from the keys in the receipt, or from the
 * bundle the device uploaded when the receipt has none.
 */
async function resendAfterRetry(core: SimulatorCore, conn: Connection, receipt: BinaryNode): Promise<void> {
  const { id } = receipt.attrs;
  const login = conn.login;
  const sent = id ? recentMessages(core).get(id) : undefined;
  const account = login && core.directory.account(login.phone);
  const device = account?.devices[String(login!.deviceId)];
  const contact = sent && core.directory.contact(sent.contactPhone);
  if (!sent || !account || !device || !contact || sent.accountPhone !== account.phone) {
    core.log('debug', 'retry receipt for a message the simulator cannot resend', { id, conn: conn.id });
    return;
  }
  if (sent.resends >= MAX_RESENDS) {
    core.log('warn', 'retry limit reached, not resending', { id, conn: conn.id });
    return;
  }
  sent.resends++;
  const deviceJid = core.directory.deviceJid(account, device.id);
  const peer = core.directory.contactPeer(contact);
  const keys = child(receipt, 'keys');
  await withContactLock(contact, async () => {
    await peer.deleteSession(deviceJid);
    await peer.injectSession(deviceJid, keys ? bundleFromRetryKeys(receipt, keys, device) : takeDeviceBundle(core, account, device));
    const { type, ciphertext } = await peer.encryptMessage(deviceJid, sent.encoded);
    const stanza = contactMessageStanza(contact, id!, sent.t, type, ciphertext, sent.stanza);
    // The pending copy is replaced too, so a redelivery after a reconnect carries the new encryption.
    device.pending = device.pending.map(pending => (pending.tag === 'message' && pending.attrs.id === id ? stanza : pending));
    core.directory.changed();
    conn.send(stanza);
  });
  core.log('info', 'contact message resent after retry receipt', { id, deviceId: device.id, attempt: sent.resends });
}

function bundleFromRetryKeys(receipt: BinaryNode, keys: BinaryNode, device: DeviceState): PeerBundle {
  const skey = child(keys, 'skey');
  const key = child(keys, 'key');
  const preKeyId = readUIntBE(childBytes(key, 'id'));
  const preKeyValue = childBytes(key, 'value');
  return {
    registrationId: readUIntBE(childBytes(receipt, 'registration')) ?? device.registrationId,
    identity: childBytes(keys, 'identity') ?? device.identityPublic,
    signedPreKey: {
      id: readUIntBE(childBytes(skey, 'id')) ?? device.signedPreKey.id,
      public: childBytes(skey, 'value') ?? device.signedPreKey.public,
      signature: childBytes(skey, 'signature') ?? device.signedPreKey.signature,
    },
    preKey: preKeyId !== undefined && preKeyValue ? { id: preKeyId, public: preKeyValue } : undefined,
  };
}

/**
 * Sender addressing of a contact message: `pn` (from the phone number, with `sender_lid`), `lid`
 * (from the LID, with `sender_pn`) or `lid-without-pn` (from the LID only, so the number stays hidden).
 */
export type Addressing = 'pn' | 'lid' | 'lid-without-pn';

export interface StanzaOptions {
  stanzaType: string;
  edit?: string;
  addressing: Addressing;
}

function contactMessageStanza(contact: ContactState, id: string, t: string, type: string, ciphertext: Uint8Array, options: StanzaOptions): BinaryNode {
  const pn = `${contact.phone}@s.whatsapp.net`;
  const lid = `${contact.lid}@lid`;
  const addressed =
    options.addressing === 'pn' ? { from: pn, sender_lid: lid } : options.addressing === 'lid' ? { from: lid, sender_pn: pn } : { from: lid };
  return node(
    'message',
    {
      ...addressed,
      type: options.stanzaType,
      id,
      t,
      notify: contact.pushName,
      edit: options.edit,
    },
    [node('enc', { v: '2', type }, Buffer.from(ciphertext))],
  );
}

export const newMessageId = (): string => `3EB0${randomBytes(9).toString('hex').toUpperCase()}`;

/** Sends text from a virtual contact to every linked device of an account and returns the message id. */
export function sendContactText(core: SimulatorCore, fromPhone: string, toPhone: string, content: string, pushName?: string): Promise<string> {
  return sendContactMessage(core, { fromPhone, toPhone, message: { conversation: content }, pushName, stanza: { stanzaType: 'text', addressing: 'pn' } });
}

export interface ContactSend {
  fromPhone: string;
  toPhone: string;
  message: Record<string, unknown>;
  pushName?: string;
  stanza: StanzaOptions;
  /** The message id to use; a new one when absent. */
  id?: string;
}

/** Throws unless the account has a linked device, before anything about the contact changes. */
export function linkedAccount(core: SimulatorCore, toPhone: string): AccountState {
  const account = core.directory.account(toPhone);
  if (!account || Object.keys(account.devices).length === 0) throw new AccountNotLinkedError(`no linked device for ${e164(toPhone)}`);
  return account;
}

/** Sends any message from a virtual contact to every linked device of an account and returns the message id. */
export async function sendContactMessage(core: SimulatorCore, send: ContactSend): Promise<string> {
  const { fromPhone, toPhone, pushName } = send;
  const account = linkedAccount(core, toPhone);
  const devices = Object.values(account.devices);
  const contact = core.directory.getOrCreateContact(fromPhone, pushName);
  if (!contact.wroteTo?.includes(account.phone)) {
    (contact.wroteTo ??= []).push(account.phone);
    core.directory.changed();
  }
  const peer = core.directory.contactPeer(contact);
  const id = send.id ?? newMessageId();
  const t = unixNow();
  const encoded = core.wa.proto.Message.encode(core.wa.proto.Message.fromObject(send.message)).finish();
  await withContactLock(contact, async () => {
    for (const device of devices) {
      const deviceJid = core.directory.deviceJid(account, device.id);
      if (!(await peer.hasSession(deviceJid))) {
        await peer.injectSession(deviceJid, takeDeviceBundle(core, account, device));
      }
      const { type, ciphertext } = await peer.encryptMessage(deviceJid, encoded);
      const stanza = contactMessageStanza(contact, id, t, type, ciphertext, send.stanza);
      const outcome = core.deliver(account, device, stanza);
      core.log('debug', 'contact message routed', { id, from: e164(contact.phone), deviceId: device.id, outcome, type });
    }
  });
  rememberSent(core, id, { contactPhone: contact.phone, accountPhone: account.phone, encoded, stanza: send.stanza, t, resends: 0 });
  const isChange = 'protocolMessage' in send.message;
  if (!isChange) logMessage(contact, { waMessageId: id, account: account.phone, fromContact: true, encoded });
  core.directory.changed();
  return id;
}

/**
 * Marks what a contact received as read and sends read receipts to every linked device of each
 * sender; with `fromAccounts` (E.164), only what those accounts sent.
 */
export function markContactRead(core: SimulatorCore, contactPhone: string, fromAccounts?: string[]): number {
  const contact = core.directory.contact(contactPhone);
  if (!contact) return 0;
  let count = 0;
  for (const item of contact.inbox) {
    if (item.status === 'read') continue;
    if (fromAccounts && !fromAccounts.includes(item.from)) continue;
    item.status = 'read';
    count++;
    const account = core.directory.account(item.from.replace(/^\+/, ''));
    if (!account) continue;
    for (const device of Object.values(account.devices)) {
      core.deliver(account, device, node('receipt', { from: `${contact.phone}@s.whatsapp.net`, id: item.waMessageId, type: 'read', t: unixNow() }));
    }
  }
  if (count) core.directory.changed();
  return count;
}

