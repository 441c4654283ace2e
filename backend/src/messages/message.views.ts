import type { MessageDirection, MessageError, MessageStatus } from './message.entity';

/** A message as REST responses and realtime events show it. */
export interface MessageView {
  id: string;
  sessionId: string;
  conversationId: string;
  waMessageId: string | null;
  direction: MessageDirection;
  type: string;
  content: string | null;
  status: MessageStatus;
  error: MessageError | null;
  timestamp: string;
  senderName?: string | null;
  /** The member who wrote a message in a group conversation. */
  senderJid?: string | null;
  /** Type-specific fields (coordinates, contacts, poll options, link preview, …). */
  data: Record<string, unknown> | null;
  /** The Charla id of the message this one replies to. */
  quotedMessageId: string | null;
  reactions: Reaction[];
  editedAt: string | null;
  deletedAt: string | null;
}

/** One person's reaction to a message; `by` is `me` or the reacting contact's JID. */
export interface Reaction {
  by: string;
  emoji: string;
  at: string;
}

export interface ContactView {
  id: string;
  name: string | null;
  phoneNumber: string | null;
}

export interface ConversationView {
  id: string;
  sessionId: string;
  /** The customer of a one-to-one chat; null for a group conversation. */
  contact: ContactView | null;
  /** The group of a group conversation; null for a one-to-one chat. */
  group: { id: string; name: string | null } | null;
  lastMessageAt: string | null;
  lastMessagePreview: string | null;
  unreadCount: number;
}

export interface MessageRow {
  id: string;
  session_id: string;
  conversation_id: string;
  wa_message_id: string | null;
  direction: MessageDirection;
  type: string;
  content: string | null;
  status: MessageStatus;
  error: MessageError | null;
  timestamp: Date | string;
  sender_name: string | null;
  data: Record<string, unknown> | null;
  quoted_message_id: string | null;
  reactions: Reaction[];
  edited_at: Date | string | null;
  deleted_at: Date | string | null;
  sender_jid?: string | null;
}

export interface ConversationRow {
  id: string;
  session_id: string;
  last_message_at: Date | string | null;
  last_message_preview: string | null;
  unread_count: number;
  contact_id: string | null;
  contact_name: string | null;
  group_jid: string | null;
  group_name: string | null;
  contact_phone_number: string | null;
}

export function toMessageView(row: MessageRow): MessageView {
  const view: MessageView = {
    id: row.id,
    sessionId: row.session_id,
    conversationId: row.conversation_id,
    waMessageId: row.wa_message_id,
    direction: row.direction,
    type: row.type,
    content: row.content,
    status: row.status,
    error: row.error,
    timestamp: new Date(row.timestamp).toISOString(),
    data: row.data ?? null,
    quotedMessageId: row.quoted_message_id ?? null,
    reactions: row.reactions ?? [],
    editedAt: row.edited_at ? new Date(row.edited_at).toISOString() : null,
    deletedAt: row.deleted_at ? new Date(row.deleted_at).toISOString() : null,
  };
  if (row.direction === 'in') view.senderName = row.sender_name;
  if (row.sender_jid) view.senderJid = row.sender_jid;
  return view;
}

export function toConversationView(row: ConversationRow): ConversationView {
  return {
    id: row.id,
    sessionId: row.session_id,
    contact: row.contact_id ? { id: row.contact_id, name: row.contact_name, phoneNumber: row.contact_phone_number } : null,
    group: row.group_jid ? { id: row.group_jid, name: row.group_name } : null,
    lastMessageAt: row.last_message_at ? new Date(row.last_message_at).toISOString() : null,
    lastMessagePreview: row.last_message_preview,
    unreadCount: row.unread_count,
  };
}

const PREVIEW_LENGTH = 160;

export function previewOf(content: string | null, type: string): string {
  if (!content) return `[${type}]`;
  return content.length > PREVIEW_LENGTH ? `${content.slice(0, PREVIEW_LENGTH - 1)}…` : content;
}

/**
 * Serializes a message proto for the `payload` column. PostgreSQL's jsonb rejects the escaped NUL
 * character (\\u0000), so it becomes U+FFFD there too; the stored text already has it replaced.
 */
export function toPayloadJson(message: unknown, replacer: (key: string, value: unknown) => unknown): string {
  // Only a real escape counts: a backslash that is itself escaped (an even run) does not start one.
  return JSON.stringify(message, replacer).replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd');
}
