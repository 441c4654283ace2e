import type { proto } from '@whiskeysockets/baileys';

/** The meaning of a WhatsApp message for a conversation, found through the wrappers around it. */
export interface ExtractedContent {
  /** text, location, liveLocation, contact, reaction, edit, delete, poll, pollVote, buttonReply, listReply, image, video, audio, document, sticker, unknown */
  type: string;
  /** The text a person reads: the body, a caption, a title or a description; null when there is none. */
  content: string | null;
  /** Type-specific fields, such as coordinates, a vCard, poll options or the id of the message acted on. */
  data?: Record<string, unknown>;
  /** The id of the message this one quotes (a reply), when it quotes one. */
  quotedWaMessageId?: string;
}

/** Wrappers WhatsApp puts around the real message; their inner `message` contains the content. */
const WRAPPER_KEYS = [
  'ephemeralMessage',
  'viewOnceMessage',
  'viewOnceMessageV2',
  'viewOnceMessageV2Extension',
  'documentWithCaptionMessage',
  'editedMessage',
  'deviceSentMessage',
  'groupMentionedMessage',
  'botInvokeMessage',
] as const;

/** Keys that carry no conversation content on their own. */
const SIGNALING_KEYS = new Set(['senderKeyDistributionMessage', 'messageContextInfo', 'keepInChatMessage']);

const MEDIA_TYPES: Record<string, string> = {
  imageMessage: 'image',
  videoMessage: 'video',
  ptvMessage: 'video',
  audioMessage: 'audio',
  documentMessage: 'document',
  stickerMessage: 'sticker',
};

/** Protocol message types (WAProto `ProtocolMessage.Type`) that act on another message. */
const PROTOCOL_REVOKE = 0;
const PROTOCOL_MESSAGE_EDIT = 14;

type AnyMessage = proto.IMessage & Record<string, unknown>;

export function unwrapMessage(message: proto.IMessage | null | undefined): proto.IMessage | undefined {
  let current = message ?? undefined;
  for (let depth = 0; current && depth < 6; depth += 1) {
    const wrapper = WRAPPER_KEYS.find((key) => (current as Record<string, { message?: proto.IMessage } | undefined>)[key]?.message);
    if (!wrapper) return current;
    current = (current as Record<string, { message?: proto.IMessage }>)[wrapper].message;
  }
  return current;
}

/**
 * Finds the type and readable text of a message through its wrappers. Returns undefined for
 * messages that carry nothing for the conversation (key distribution, history sync and other
 * protocol messages that are not an edit or a delete).
 */
export function extractContent(message: proto.IMessage | null | undefined): ExtractedContent | undefined {
  const inner = unwrapMessage(message) as AnyMessage | undefined;
  if (!inner) return { type: 'unknown', content: null };

  const extracted = extractKnown(inner);
  if (extracted === null) return undefined;
  if (extracted) return withQuote(extracted, inner);

  const contentKeys = Object.keys(inner).filter((key) => inner[key] && !SIGNALING_KEYS.has(key));
  if (contentKeys.length === 0) return undefined;
  return { type: 'unknown', content: null, data: { messageType: contentKeys[0] } };
}

/** Returns the content of a known type, null for a message to ignore, or undefined for an unknown type. */
function extractKnown(inner: AnyMessage): ExtractedContent | null | undefined {
  if (inner.conversation) return { type: 'text', content: inner.conversation };

  const extended = inner.extendedTextMessage;
  if (extended?.text) {
    const preview = extended.matchedText || extended.title ? { url: extended.matchedText ?? null, title: extended.title ?? null, description: extended.description ?? null } : undefined;
    return { type: 'text', content: extended.text, ...(preview ? { data: { linkPreview: preview } } : {}) };
  }

  if (inner.protocolMessage) return extractProtocol(inner.protocolMessage);

  const location = inner.locationMessage;
  if (location) {
    return {
      type: 'location',
      content: location.name ?? location.address ?? null,
      data: { latitude: location.degreesLatitude, longitude: location.degreesLongitude, name: location.name ?? null, address: location.address ?? null },
    };
  }

  const live = inner.liveLocationMessage;
  if (live) return { type: 'liveLocation', content: live.caption ?? null, data: { latitude: live.degreesLatitude, longitude: live.degreesLongitude } };

  if (inner.contactMessage) {
    const contact = inner.contactMessage;
    return { type: 'contact', content: contact.displayName ?? null, data: { contacts: [{ name: contact.displayName ?? null, vcard: contact.vcard ?? null }] } };
  }
  if (inner.contactsArrayMessage) {
    const contacts = (inner.contactsArrayMessage.contacts ?? []).map((contact) => ({ name: contact.displayName ?? null, vcard: contact.vcard ?? null }));
    return { type: 'contact', content: inner.contactsArrayMessage.displayName ?? contacts.map((contact) => contact.name).join(', '), data: { contacts } };
  }

  const reaction = inner.reactionMessage;
  if (reaction) return { type: 'reaction', content: reaction.text ?? '', data: { targetWaMessageId: reaction.key?.id ?? null, emoji: reaction.text ?? '' } };

  const poll = inner.pollCreationMessage ?? inner.pollCreationMessageV2 ?? inner.pollCreationMessageV3 ?? inner.pollCreationMessageV5;
  if (poll) {
    const options = (poll.options ?? []).map((option) => option.optionName ?? '');
    return { type: 'poll', content: poll.name ?? null, data: { name: poll.name ?? null, options, multiple: (poll.selectableOptionsCount ?? 1) !== 1 } };
  }
  if (inner.pollUpdateMessage) {
    // The vote is encrypted for the poll's creator; the handler decrypts it with the poll's secret.
    const vote = inner.pollUpdateMessage.vote;
    return {
      type: 'pollVote',
      content: null,
      data: {
        targetWaMessageId: inner.pollUpdateMessage.pollCreationMessageKey?.id ?? null,
        encPayload: vote?.encPayload ? Buffer.from(vote.encPayload).toString('base64') : null,
        encIv: vote?.encIv ? Buffer.from(vote.encIv).toString('base64') : null,
      },
    };
  }

  const button = inner.buttonsResponseMessage;
  if (button) return { type: 'buttonReply', content: button.selectedDisplayText ?? null, data: { id: button.selectedButtonId ?? null } };
  const template = inner.templateButtonReplyMessage;
  if (template) return { type: 'buttonReply', content: template.selectedDisplayText ?? null, data: { id: template.selectedId ?? null } };
  const list = inner.listResponseMessage;
  if (list) return { type: 'listReply', content: list.title ?? null, data: { id: list.singleSelectReply?.selectedRowId ?? null, description: list.description ?? null } };

  const mediaKey = Object.keys(MEDIA_TYPES).find((key) => inner[key]);
  if (mediaKey) {
    const media = inner[mediaKey] as { caption?: string | null; fileName?: string | null; mimetype?: string | null; ptt?: boolean | null };
    return {
      type: MEDIA_TYPES[mediaKey],
      content: media.caption ?? media.fileName ?? null,
      data: { mimetype: media.mimetype ?? null, ...(media.fileName ? { fileName: media.fileName } : {}), ...(media.ptt ? { voiceNote: true } : {}) },
    };
  }

  return undefined;
}

function extractProtocol(protocol: proto.Message.IProtocolMessage): ExtractedContent | null {
  const targetWaMessageId = protocol.key?.id ?? null;
  if (protocol.type === PROTOCOL_REVOKE) return { type: 'delete', content: null, data: { targetWaMessageId } };
  if (protocol.type === PROTOCOL_MESSAGE_EDIT) {
    const edited = protocol.editedMessage ? extractContent(protocol.editedMessage) : undefined;
    return { type: 'edit', content: edited?.content ?? null, data: { targetWaMessageId } };
  }
  return null;
}

/** Adds the quoted message id from the context info of whatever field carries it. */
function withQuote(extracted: ExtractedContent, inner: AnyMessage): ExtractedContent {
  for (const value of Object.values(inner)) {
    const stanzaId = (value as { contextInfo?: proto.IContextInfo | null } | null)?.contextInfo?.stanzaId;
    if (stanzaId) return { ...extracted, quotedWaMessageId: stanzaId };
  }
  return extracted;
}

/** The kind of chat or person a JID names. */
export type JidKind = 'user' | 'lid' | 'group' | 'status' | 'newsletter' | 'broadcast' | 'unknown';

export function classifyJid(jid: string | null | undefined): JidKind {
  if (!jid) return 'unknown';
  if (jid === 'status@broadcast') return 'status';
  if (jid.endsWith('@s.whatsapp.net') || jid.endsWith('@c.us')) return 'user';
  if (jid.endsWith('@lid')) return 'lid';
  if (jid.endsWith('@g.us')) return 'group';
  if (jid.endsWith('@newsletter')) return 'newsletter';
  if (jid.endsWith('@broadcast')) return 'broadcast';
  return 'unknown';
}
