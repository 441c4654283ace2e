// Message traffic between linked devices and virtual contacts: decrypting what companions send,
// acking it and answering with delivery receipts, and encrypting contact messages to every linked
// device (or queueing them for devices that are offline).
import { randomBytes } from 'node:crypto';
import type { BinaryNode } from './baileys';
import type { Connection } from './connection';
import type { SimulatorCore } from './core';
import { e164 } from './directory';
import { takeDeviceBundle } from './iq-handlers';
import { child, children, node, unixNow } from './nodes';
import type { AccountState, ContactState } from './state-store';

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

function textOf(message: { conversation?: string | null; extendedTextMessage?: { text?: string | null } | null }): string | undefined {
  return message.conversation ?? message.extendedTextMessage?.text ?? undefined;
}

/** A companion sends a message: ack it, decrypt every copy meant for simulated peers, confirm delivery. */
export async function handleMessage(core: SimulatorCore, conn: Connection, message: BinaryNode): Promise<void> {
  const login = conn.login;
  const { id, to } = message.attrs;
  if (!id || !to) return;
  conn.send(node('ack', { class: 'message', id, from: to, t: unixNow() }));
  const account = login && core.directory.account(login.phone);
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
        const text = textOf(decrypted);
        if (text !== undefined) recordInbox(core, account, contact, id, text);
        else core.log('debug', 'contact received a non-text message', { id, contact: e164(contact.phone) });
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

function recordInbox(core: SimulatorCore, account: AccountState, contact: ContactState, id: string, text: string): void {
  if (contact.inbox.some(item => item.waMessageId === id)) return;
  contact.inbox.push({
    waMessageId: id,
    from: e164(account.phone),
    to: e164(contact.phone),
    type: 'text',
    content: text,
    timestamp: new Date().toISOString(),
    status: 'delivered',
  });
  core.directory.changed();
  core.log('debug', 'contact received text', { id, from: e164(account.phone), to: e164(contact.phone) });
}

/** Receipts from companions (delivery/read of contact messages) only need the server's ack. */
export async function handleReceipt(_core: SimulatorCore, conn: Connection, receipt: BinaryNode): Promise<void> {
  const { id, to, type } = receipt.attrs;
  conn.send(node('ack', { class: 'receipt', id, from: to, type }));
}

const newMessageId = (): string => `3EB0${randomBytes(9).toString('hex').toUpperCase()}`;

/** A virtual contact sends text to every linked device of an account; returns the message id. */
export async function sendContactText(
  core: SimulatorCore,
  fromPhone: string,
  toPhone: string,
  content: string,
  pushName?: string,
): Promise<string> {
  const account = core.directory.account(toPhone);
  const devices = account ? Object.values(account.devices) : [];
  if (!account || devices.length === 0) throw new AccountNotLinkedError(`no linked device for ${e164(toPhone)}`);
  const contact = core.directory.getOrCreateContact(fromPhone, pushName);
  const peer = core.directory.contactPeer(contact);
  const id = newMessageId();
  const t = unixNow();
  const encoded = core.wa.proto.Message.encode({ conversation: content }).finish();
  await withContactLock(contact, async () => {
    for (const device of devices) {
      const deviceJid = core.directory.deviceJid(account, device.id);
      if (!(await peer.hasSession(deviceJid))) {
        await peer.injectSession(deviceJid, takeDeviceBundle(core, account, device));
      }
      const { type, ciphertext } = await peer.encryptMessage(deviceJid, encoded);
      const stanza = node(
        'message',
        {
          from: `${contact.phone}@s.whatsapp.net`,
          type: 'text',
          id,
          t,
          notify: contact.pushName,
          sender_lid: `${contact.lid}@lid`,
        },
        [node('enc', { v: '2', type }, Buffer.from(ciphertext))],
      );
      const outcome = core.deliver(account, device, stanza);
      core.log('debug', 'contact message routed', { id, from: e164(contact.phone), deviceId: device.id, outcome, type });
    }
  });
  return id;
}

/** The contact reads everything it received: read receipts go to every linked device of each sender. */
export function markContactRead(core: SimulatorCore, contactPhone: string): number {
  const contact = core.directory.contact(contactPhone);
  if (!contact) return 0;
  let count = 0;
  for (const item of contact.inbox) {
    if (item.status === 'read') continue;
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

