// History sync: the phone sends its linked devices past chats as a peer message carrying a
// protocolMessage.historySyncNotification. The simulator inlines the whole (small) history in
// `initialHistBootstrapInlinePayload`, which Baileys inflates and decodes without any media download.
import { randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import type { SimulatorCore } from './core';
import { MessageRequestError } from './contact-messages';
import { e164, InvalidPhoneError, phoneDigits } from './directory';
import { takeDeviceBundle } from './iq-handlers';
import { logMessage } from './message-log';
import { linkedAccount } from './messaging';
import { node, unixNow } from './nodes';

export interface HistoryMessage {
  fromMe: boolean;
  content: string;
  /** Unix seconds. */
  timestamp: number;
}

export interface HistoryContact {
  phone: string;
  name?: string;
  messages: HistoryMessage[];
}

const invalid = (message: string) => new MessageRequestError(400, 'INVALID_HISTORY', message);

function parseTimestamp(value: unknown, field: string): number {
  if (value === undefined || value === null) return Math.floor(Date.now() / 1000);
  // Numbers are Unix seconds, and strings are ISO 8601 dates.
  let seconds = NaN;
  if (typeof value === 'number') seconds = value;
  else if (typeof value === 'string') seconds = Date.parse(value) / 1000;
  if (!Number.isFinite(seconds) || seconds <= 0) throw invalid(`${field} must be Unix seconds or an ISO 8601 date`);
  return Math.floor(seconds);
}

/** Validates the `contacts` of a `POST /control/history` body. */
export function parseHistoryContacts(value: unknown): HistoryContact[] {
  if (!Array.isArray(value) || value.length === 0) throw invalid('contacts must be a non-empty array');
  return value.map((entry, index) => {
    const contact = (entry ?? {}) as Record<string, unknown>;
    let phone: string;
    try {
      phone = phoneDigits(contact.phoneNumber);
    } catch (error) {
      if (error instanceof InvalidPhoneError) throw new MessageRequestError(400, 'INVALID_PHONE', `contacts[${index}].phoneNumber: ${error.message}`);
      throw error;
    }
    if (contact.name !== undefined && typeof contact.name !== 'string') throw invalid(`contacts[${index}].name must be a string`);
    const messages = contact.messages ?? [];
    if (!Array.isArray(messages)) throw invalid(`contacts[${index}].messages must be an array`);
    return {
      phone,
      name: (contact.name as string | undefined)?.trim() || undefined,
      messages: messages.map((raw, position) => {
        const message = (raw ?? {}) as Record<string, unknown>;
        const field = `contacts[${index}].messages[${position}]`;
        if (typeof message.content !== 'string' || !message.content) throw invalid(`${field}.content must be a non-empty string`);
        return { fromMe: message.fromMe === true, content: message.content, timestamp: parseTimestamp(message.timestamp, `${field}.timestamp`) };
      }),
    };
  });
}

const newMessageId = (): string => `3EB0${randomBytes(9).toString('hex').toUpperCase()}`;

/**
 * Sends a history sync with these chats to every linked device of the account (queued for devices
 * that are offline): INITIAL_BOOTSTRAP, as after a link, or FULL, the older history a companion that
 * asked for it receives. The contacts are created, so they are on WhatsApp.
 */
export async function sendHistory(core: SimulatorCore, accountPhone: string, contacts: HistoryContact[], full = false): Promise<{ conversations: number; messages: number }> {
  const { wa } = core;
  const account = linkedAccount(core, accountPhone);
  let messageCount = 0;
  const conversations = contacts.map(entry => {
    const contact = core.directory.getOrCreateContact(entry.phone, entry.name);
    const jid = `${contact.phone}@s.whatsapp.net`;
    // WhatsApp lists each chat's messages newest first; Baileys keeps the first one as the chat preview.
    const messages = [...entry.messages]
      .sort((a, b) => b.timestamp - a.timestamp)
      .map((message, position) => {
        const id = newMessageId();
        const content = { conversation: message.content };
        logMessage(contact, { waMessageId: id, account: account.phone, fromContact: !message.fromMe, encoded: wa.proto.Message.encode(content).finish() });
        return {
          msgOrderId: position + 1,
          message: {
            key: { remoteJid: jid, fromMe: message.fromMe, id },
            message: content,
            messageTimestamp: message.timestamp,
            pushName: message.fromMe ? undefined : contact.pushName,
            status: message.fromMe ? wa.proto.WebMessageInfo.Status.READ : undefined,
          },
        };
      });
    messageCount += messages.length;
    return {
      id: jid,
      name: contact.pushName,
      lidJid: `${contact.lid}@lid`,
      conversationTimestamp: entry.messages.length ? Math.max(...entry.messages.map(m => m.timestamp)) : undefined,
      messages,
    };
  });
  const { HistorySyncType } = wa.proto.HistorySync;
  const syncType = full ? HistorySyncType.FULL : HistorySyncType.INITIAL_BOOTSTRAP;
  const history = wa.proto.HistorySync.encode(
    wa.proto.HistorySync.fromObject({
      syncType,
      conversations,
      pushnames: contacts.map(c => ({ id: `${c.phone}@s.whatsapp.net`, pushname: c.name })).filter(p => p.pushname),
      progress: 100,
      chunkOrder: 0,
    }),
  ).finish();
  const encoded = wa.proto.Message.encode(
    wa.proto.Message.fromObject({
      protocolMessage: {
        type: wa.proto.Message.ProtocolMessage.Type.HISTORY_SYNC_NOTIFICATION,
        historySyncNotification: {
          syncType,
          initialHistBootstrapInlinePayload: deflateSync(history),
          chunkOrder: 0,
          progress: 100,
        },
      },
    }),
  ).finish();

  const phone = core.directory.accountPeer(account);
  const id = newMessageId();
  const t = unixNow();
  for (const device of Object.values(account.devices)) {
    const deviceJid = core.directory.deviceJid(account, device.id);
    if (!(await phone.hasSession(deviceJid))) await phone.injectSession(deviceJid, takeDeviceBundle(core, account, device));
    const { type, ciphertext } = await phone.encryptMessage(deviceJid, encoded);
    // A peer message from the phone (device 0 of the same account): Baileys marks it fromMe and accepts self-only protocol messages.
    const stanza = node('message', { from: `${account.phone}@s.whatsapp.net`, type: 'text', id, t, category: 'peer' }, [
      node('enc', { v: '2', type }, Buffer.from(ciphertext)),
    ]);
    const outcome = core.deliver(account, device, stanza);
    core.log('info', 'history sync sent', { id, phone: e164(account.phone), deviceId: device.id, outcome, conversations: conversations.length, messages: messageCount });
  }
  core.directory.changed();
  return { conversations: conversations.length, messages: messageCount };
}
