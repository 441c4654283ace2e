// Turns a message a linked device sent to a contact (already decrypted) into the contact's inbox
// view: a `type`, `content` for text, and the decoded proto fields for the other types.
import type { Baileys } from './baileys';
import type { ProtoMessage } from './message-log';
import type { InboxItem } from './state-store';

export type InboxView = Pick<InboxItem, 'type' | 'content' | 'message' | 'quoted'>;

const num = (value: unknown): number | undefined => (value === null || value === undefined ? undefined : Number(value));

/** Drops null and undefined fields, so the JSON carries only what the message had. */
function compact(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null && value !== undefined && value !== ''));
}

interface QuoteContext {
  stanzaId?: string | null;
  participant?: string | null;
  quotedMessage?: unknown;
}

/** Finds the contextInfo of whichever content field carries a quote. */
function contextOf(message: ProtoMessage) {
  for (const value of Object.values(message)) {
    const contextInfo = (value as { contextInfo?: QuoteContext | null } | null)?.contextInfo;
    if (contextInfo?.stanzaId) return contextInfo;
  }
  return undefined;
}

export function describeMessage(wa: Baileys, message: ProtoMessage): InboxView {
  const view = describeContent(wa, message);
  const context = contextOf(message);
  if (context?.stanzaId) {
    const quoted = context.quotedMessage ? describeContent(wa, context.quotedMessage as ProtoMessage) : undefined;
    view.quoted = { waMessageId: context.stanzaId, participant: context.participant ?? undefined, ...(quoted ?? {}) };
  }
  return view;
}

function describeContent(wa: Baileys, message: ProtoMessage): InboxView {
  if (message.conversation) return { type: 'text', content: message.conversation };

  const extended = message.extendedTextMessage;
  if (extended) {
    const preview = compact({ matchedText: extended.matchedText, title: extended.title, description: extended.description });
    return { type: 'text', content: extended.text ?? '', ...(Object.keys(preview).length ? { message: preview } : {}) };
  }

  const location = message.locationMessage;
  if (location) {
    return {
      type: 'location',
      message: compact({ latitude: num(location.degreesLatitude), longitude: num(location.degreesLongitude), name: location.name, address: location.address }),
    };
  }

  const live = message.liveLocationMessage;
  if (live) {
    return { type: 'liveLocation', message: compact({ latitude: num(live.degreesLatitude), longitude: num(live.degreesLongitude), caption: live.caption }) };
  }

  if (message.contactMessage) {
    return { type: 'contact', message: compact({ name: message.contactMessage.displayName, vcard: message.contactMessage.vcard }) };
  }

  const array = message.contactsArrayMessage;
  if (array) {
    const contacts = (array.contacts ?? []).map(card => compact({ name: card.displayName, vcard: card.vcard }));
    return { type: 'contacts', message: compact({ displayName: array.displayName, contacts }) };
  }

  if (message.reactionMessage) {
    return { type: 'reaction', message: { waMessageId: message.reactionMessage.key?.id, emoji: message.reactionMessage.text ?? '' } };
  }

  const poll = message.pollCreationMessage ?? message.pollCreationMessageV3 ?? message.pollCreationMessageV2;
  if (poll) {
    return {
      type: 'poll',
      message: { name: poll.name, options: (poll.options ?? []).map(o => o.optionName), multiple: poll.selectableOptionsCount !== 1 },
    };
  }

  if (message.pollUpdateMessage) {
    // The vote itself stays encrypted: only the poll's creator and the voter hold the key material.
    return { type: 'pollVote', message: { waMessageId: message.pollUpdateMessage.pollCreationMessageKey?.id } };
  }

  const protocol = message.protocolMessage;
  const { Type } = wa.proto.Message.ProtocolMessage;
  if (protocol?.type === Type.MESSAGE_EDIT) {
    const edited = protocol.editedMessage ? describeContent(wa, protocol.editedMessage as ProtoMessage) : undefined;
    return { type: 'edit', content: edited?.content, message: compact({ waMessageId: protocol.key?.id, ...(edited?.message ?? {}) }) };
  }

  if (protocol?.type === Type.REVOKE) return { type: 'delete', message: { waMessageId: protocol.key?.id } };

  if (message.buttonsResponseMessage) {
    return { type: 'buttonReply', message: compact({ id: message.buttonsResponseMessage.selectedButtonId, title: message.buttonsResponseMessage.selectedDisplayText }) };
  }

  if (message.listResponseMessage) {
    return {
      type: 'listReply',
      message: compact({ id: message.listResponseMessage.singleSelectReply?.selectedRowId, title: message.listResponseMessage.title }),
    };
  }

  const fields = Object.keys(wa.proto.Message.toObject(message)).filter(field => field !== 'messageContextInfo');
  return { type: 'other', message: { fields } };
}
