// Builds the proto.Message a virtual contact sends for `POST /control/messages`, one builder per
// `type`, shaped like what WhatsApp clients put on the wire (and what Baileys' generateWAMessage
// builds), so an app receives the same fields as from a real phone.
import { createHash, randomBytes } from 'node:crypto';
import type { Baileys } from './baileys';
import { MEDIA_TYPES } from './media-crypto';
import { decodeLogged, findLogged, type ProtoMessage } from './message-log';
import type { ContactState, LoggedMessage } from './state-store';

export class MessageRequestError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The message to send plus the stanza attributes WhatsApp gives that kind of message. */
export interface ContactMessage {
  message: Record<string, unknown>;
  /** The stanza's `type`: `text`, `reaction` or `poll`. */
  stanzaType: string;
  /** The stanza's `edit` attribute: 1 for an edit, 7 for a sender revoke. */
  edit?: string;
}

export const MESSAGE_TYPES = [
  'text',
  'location',
  'liveLocation',
  'contact',
  'reaction',
  'poll',
  'pollVote',
  'edit',
  'delete',
  'buttonReply',
  'listReply',
] as const;

/** Addresses and stored messages the builders need to fill in keys, quotes and votes. */
export interface MessageContext {
  wa: Baileys;
  contact: ContactState | undefined;
  contactJid: string;
  /** The account's phone digits and the JID the contact addresses it by. */
  account: string;
  accountJid: string;
  /** The JIDs a poll vote is bound to (the voter and the poll's creator), in the addressing used. */
  voterJid: string;
  creatorJidOf: (entry: LoggedMessage) => string;
}

type Body = Record<string, unknown>;

const invalid = (message: string) => new MessageRequestError(400, 'INVALID_CONTENT', message);

function text(body: Body, field: string, required = true): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) {
    if (required) throw invalid(`${field} is required`);
    return undefined;
  }
  if (typeof value !== 'string' || (required && value.length === 0)) throw invalid(`${field} must be a non-empty string`);
  return value;
}

function coordinate(body: Body, field: string, limit: number): number {
  const value = body[field];
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > limit) {
    throw invalid(`${field} must be a number between -${limit} and ${limit}`);
  }
  return value;
}

function stringList(body: Body, field: string, min: number, max: number): string[] {
  const value = body[field];
  if (!Array.isArray(value) || value.length < min || value.length > max || value.some(v => typeof v !== 'string' || v.length === 0)) {
    throw invalid(`${field} must be an array of ${min} to ${max} non-empty strings`);
  }
  return value as string[];
}

/** Looks up a message this contact exchanged with the account; 404 when it is unknown. */
function referenced(ctx: MessageContext, waMessageId: unknown): LoggedMessage {
  if (typeof waMessageId !== 'string' || !waMessageId) throw invalid('waMessageId must be a message id');
  const entry = findLogged(ctx.contact, ctx.account, waMessageId);
  if (!entry) throw new MessageRequestError(404, 'MESSAGE_NOT_FOUND', `no message ${waMessageId} between these numbers`);
  return entry;
}

/** Builds the key of a referenced message from the contact's side: fromMe when the contact sent it. */
function keyOf(ctx: MessageContext, entry: LoggedMessage) {
  return { remoteJid: ctx.accountJid, fromMe: entry.fromContact, id: entry.waMessageId };
}

function vCard(name: string, phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return ['BEGIN:VCARD', 'VERSION:3.0', `FN:${name}`, `TEL;type=CELL;type=VOICE;waid=${digits}:+${digits}`, 'END:VCARD'].join('\n');
}

function contactCard(entry: unknown, field: string): { displayName: string; vcard: string } {
  const card = (entry ?? {}) as Body;
  const name = text(card, 'name')!;
  const phone = text(card, 'phoneNumber')!;
  if (!/^\+?[1-9]\d{6,14}$/.test(phone.replace(/[\s-]/g, ''))) throw new MessageRequestError(400, 'INVALID_PHONE', `${field}.phoneNumber is not a phone number`);
  return { displayName: name, vcard: vCard(name, phone) };
}

const sha256 = (value: string) => createHash('sha256').update(value).digest();

/** Encrypts a vote the way WhatsApp does and Baileys' decryptPollVote reverses (HMAC-derived key, AES-256-GCM). */
function encryptPollVote(wa: Baileys, selectedOptions: Buffer[], ctx: { pollMsgId: string; pollCreatorJid: string; voterJid: string; pollEncKey: Uint8Array }) {
  const sign = Buffer.concat([
    Buffer.from(ctx.pollMsgId),
    Buffer.from(ctx.pollCreatorJid),
    Buffer.from(ctx.voterJid),
    Buffer.from('Poll Vote'),
    Buffer.from([1]),
  ]);
  const key0 = wa.hmacSign(ctx.pollEncKey, new Uint8Array(32), 'sha256');
  const encKey = wa.hmacSign(sign, key0, 'sha256');
  const encIv = randomBytes(12);
  const plaintext = wa.proto.Message.PollVoteMessage.encode({ selectedOptions }).finish();
  const encPayload = wa.aesEncryptGCM(plaintext, encKey, encIv, Buffer.from(`${ctx.pollMsgId}\u0000${ctx.voterJid}`));
  return { encPayload, encIv };
}

function pollOf(message: ProtoMessage) {
  return message.pollCreationMessage ?? message.pollCreationMessageV3 ?? message.pollCreationMessageV2 ?? undefined;
}

/** Content fields that carry a contextInfo, in the order they are looked for. */
const QUOTABLE_FIELDS = [
  'extendedTextMessage',
  'locationMessage',
  'liveLocationMessage',
  'contactMessage',
  'contactsArrayMessage',
  'pollCreationMessage',
  'pollCreationMessageV3',
  'buttonsResponseMessage',
  'listResponseMessage',
];

function quote(ctx: MessageContext, message: Record<string, unknown>, replyTo: unknown): void {
  const entry = referenced(ctx, replyTo);
  const field = QUOTABLE_FIELDS.find(name => message[name]);
  if (!field) throw invalid('replyTo is not supported for this type');
  const quoted = decodeLogged(ctx.wa, entry);
  // The quoted copy is the content only; the secret belongs to the original message.
  quoted.messageContextInfo = null;
  (message[field] as Body).contextInfo = {
    stanzaId: entry.waMessageId,
    participant: entry.fromContact ? ctx.contactJid : ctx.accountJid,
    quotedMessage: quoted,
  };
}

/** Validates a `/control/messages` body and builds the message; throws MessageRequestError. */
export function buildContactMessage(ctx: MessageContext, body: Body): ContactMessage {
  const type = body.type ?? 'text';
  if (typeof type !== 'string' || !(MESSAGE_TYPES as readonly string[]).includes(type)) {
    throw new MessageRequestError(400, 'INVALID_TYPE', `type must be one of ${[...MESSAGE_TYPES, ...MEDIA_TYPES].join(', ')}`);
  }
  const built = buildByType(ctx, type, body);
  if (body.replyTo !== undefined && body.replyTo !== null) quote(ctx, built.message, body.replyTo);
  return built;
}

function buildByType(ctx: MessageContext, type: string, body: Body): ContactMessage {
  const { wa } = ctx;
  const plain = (message: Record<string, unknown>): ContactMessage => ({ message, stanzaType: 'text' });
  switch (type) {
    case 'text': {
      const content = text(body, 'content')!;
      const preview = body.linkPreview as Body | undefined;
      if (preview !== undefined && preview !== null) {
        if (typeof preview !== 'object') throw invalid('linkPreview must be an object');
        return plain({
          extendedTextMessage: {
            text: content,
            matchedText: text(preview, 'url'),
            title: text(preview, 'title', false),
            description: text(preview, 'description', false),
            previewType: wa.proto.Message.ExtendedTextMessage.PreviewType.NONE,
          },
        });
      }
      // A reply needs the extended form, which is where contextInfo lives.
      return plain(body.replyTo ? { extendedTextMessage: { text: content } } : { conversation: content });
    }
    case 'location':
      return plain({
        locationMessage: {
          degreesLatitude: coordinate(body, 'latitude', 90),
          degreesLongitude: coordinate(body, 'longitude', 180),
          name: text(body, 'name', false),
          address: text(body, 'address', false),
        },
      });
    case 'liveLocation':
      return plain({
        liveLocationMessage: {
          degreesLatitude: coordinate(body, 'latitude', 90),
          degreesLongitude: coordinate(body, 'longitude', 180),
          caption: text(body, 'caption', false),
          sequenceNumber: 1,
        },
      });
    case 'contact': {
      if (body.contacts !== undefined) {
        if (!Array.isArray(body.contacts) || body.contacts.length === 0 || body.contacts.length > 50) {
          throw invalid('contacts must be an array of 1 to 50 {name, phoneNumber}');
        }
        const cards = body.contacts.map((entry, index) => contactCard(entry, `contacts[${index}]`));
        return plain({ contactsArrayMessage: { displayName: `${cards.length} contacts`, contacts: cards } });
      }
      return plain({ contactMessage: contactCard(body, 'contact') });
    }
    case 'reaction': {
      const entry = referenced(ctx, body.waMessageId);
      if (typeof body.emoji !== 'string') throw invalid('emoji must be a string (empty removes the reaction)');
      return {
        message: { reactionMessage: { key: keyOf(ctx, entry), text: body.emoji, senderTimestampMs: Date.now() } },
        stanzaType: 'reaction',
      };
    }
    case 'poll': {
      const name = text(body, 'name')!;
      const options = stringList(body, 'options', 2, 12);
      if (new Set(options).size !== options.length) throw invalid('options must be distinct');
      if (body.multiple !== undefined && typeof body.multiple !== 'boolean') throw invalid('multiple must be a boolean');
      const poll = { name, options: options.map(optionName => ({ optionName })), selectableOptionsCount: body.multiple ? 0 : 1 };
      return {
        // Like Baileys: single choice is V3, multiple choice the original field. The secret keys the votes.
        message: {
          ...(body.multiple ? { pollCreationMessage: poll } : { pollCreationMessageV3: poll }),
          messageContextInfo: { messageSecret: randomBytes(32) },
        },
        stanzaType: 'poll',
      };
    }
    case 'pollVote': {
      const entry = referenced(ctx, body.waMessageId);
      const pollMessage = decodeLogged(wa, entry);
      const poll = pollOf(pollMessage);
      const secret = pollMessage.messageContextInfo?.messageSecret;
      if (!poll || !secret?.length) throw new MessageRequestError(409, 'NOT_A_POLL', `${entry.waMessageId} is not a poll`);
      const names = (poll.options ?? []).map(option => option.optionName ?? '');
      const chosen = stringList(body, 'options', 0, names.length);
      const unknown = chosen.filter(option => !names.includes(option));
      if (unknown.length) throw invalid(`not options of this poll: ${unknown.join(', ')}`);
      if (poll.selectableOptionsCount === 1 && chosen.length > 1) throw invalid('this poll allows one option');
      const vote = encryptPollVote(wa, chosen.map(sha256), {
        pollMsgId: entry.waMessageId,
        pollCreatorJid: ctx.creatorJidOf(entry),
        voterJid: ctx.voterJid,
        pollEncKey: secret,
      });
      return {
        message: { pollUpdateMessage: { pollCreationMessageKey: keyOf(ctx, entry), vote, senderTimestampMs: Date.now() } },
        stanzaType: 'poll',
      };
    }
    case 'edit':
    case 'delete': {
      const entry = referenced(ctx, body.waMessageId);
      if (!entry.fromContact) throw new MessageRequestError(409, 'NOT_SENDER', 'a contact can only edit or delete its own messages');
      const { Type } = wa.proto.Message.ProtocolMessage;
      if (type === 'delete') {
        return { message: { protocolMessage: { key: keyOf(ctx, entry), type: Type.REVOKE } }, stanzaType: 'text', edit: '7' };
      }
      const content = text(body, 'content')!;
      return {
        message: {
          protocolMessage: {
            key: keyOf(ctx, entry),
            type: Type.MESSAGE_EDIT,
            editedMessage: { conversation: content },
            timestampMs: Date.now(),
          },
        },
        stanzaType: 'text',
        edit: '1',
      };
    }
    case 'buttonReply':
      return plain({
        buttonsResponseMessage: {
          selectedButtonId: text(body, 'id'),
          selectedDisplayText: text(body, 'title'),
          type: wa.proto.Message.ButtonsResponseMessage.Type.DISPLAY_TEXT,
        },
      });
    case 'listReply':
      return plain({
        listResponseMessage: {
          title: text(body, 'title'),
          listType: wa.proto.Message.ListResponseMessage.ListType.SINGLE_SELECT,
          singleSelectReply: { selectedRowId: text(body, 'id') },
        },
      });
    default:
      throw new MessageRequestError(400, 'INVALID_TYPE', `unsupported type ${type}`);
  }
}
