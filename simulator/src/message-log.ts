// Per-contact record of the messages a contact sent and received, so a later contact message can
// quote, edit, delete, react to or vote on one of them by its id. Persisted with the contact.
import type { Baileys } from './baileys';
import type { ContactState, LoggedMessage } from './state-store';

/** Messages kept per contact; older ones can no longer be referred to. */
const LOG_LIMIT = 200;

export type ProtoMessage = ReturnType<Baileys['proto']['Message']['decode']>;

export function logMessage(contact: ContactState, entry: { waMessageId: string; account: string; fromContact: boolean; encoded: Uint8Array }): void {
  const log = (contact.messages ??= []);
  if (log.some(item => item.waMessageId === entry.waMessageId)) return;
  log.push({
    waMessageId: entry.waMessageId,
    account: entry.account,
    fromContact: entry.fromContact,
    message: Buffer.from(entry.encoded).toString('base64'),
  });
  if (log.length > LOG_LIMIT) log.splice(0, log.length - LOG_LIMIT);
}

export function findLogged(contact: ContactState | undefined, account: string, waMessageId: string): LoggedMessage | undefined {
  return contact?.messages?.find(item => item.account === account && item.waMessageId === waMessageId);
}

export function decodeLogged(wa: Baileys, entry: LoggedMessage): ProtoMessage {
  return wa.proto.Message.decode(Buffer.from(entry.message, 'base64'));
}
