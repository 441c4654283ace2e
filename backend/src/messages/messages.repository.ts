import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { scopeTenantId, tenantParam } from '../common/tenant-context';
import type { MessageDirection, MessageError, MessageSource, MessageStatus } from './message.entity';
import { OUTBOUND_STATUS_ORDER } from './message.entity';
import type { ConversationRow, MessageRow } from './message.views';

export interface NewMessage {
  tenantId: string;
  sessionId: string;
  conversationId: string;
  chatJid: string;
  waMessageId: string | null;
  direction: MessageDirection;
  type: string;
  content: string | null;
  status: MessageStatus;
  senderName: string | null;
  timestamp: Date;
  /** The message proto serialized with Baileys' `BufferJSON.replacer`. */
  payloadJson?: string;
  idempotencyKey?: string;
  data?: Record<string, unknown>;
  /** WhatsApp id of the quoted message; it becomes `quoted_message_id` when that message is stored. */
  quotedWaMessageId?: string;
  /** The member who wrote a group message. */
  senderJid?: string | null;
  /** An outbound message to a number WhatsApp was not yet asked about. */
  recipientUnverified?: boolean;
  source?: MessageSource;
}

export const MESSAGE_COLUMNS =
  'id, session_id, conversation_id, wa_message_id, direction, type, content, status, error, timestamp, sender_name, data, quoted_message_id, reactions, edited_at, deleted_at, sender_jid';

/**
 * The write path of messages as plain SQL: every insert is an `INSERT … ON CONFLICT`, so the same
 * WhatsApp message delivered twice, even concurrently, becomes one row without a prior lookup.
 * Every statement binds its tenant id, which the current tenant scope must allow.
 */
@Injectable()
export class MessagesRepository {
  async upsertContact(em: EntityManager, tenantId: string, jid: string, phoneNumber: string | null, name: string | null, lid: string | null = null): Promise<string> {
    const [row] = await this.query<{ id: string }>(
      em,
      `insert into contacts (id, tenant_id, jid, phone_number, name, lid) values (?, ?, ?, ?, ?, ?)
       on conflict (tenant_id, jid) do update
         set name = coalesce(excluded.name, contacts.name),
             phone_number = coalesce(contacts.phone_number, excluded.phone_number),
             lid = coalesce(contacts.lid, excluded.lid),
             updated_at = case when excluded.name is distinct from contacts.name and excluded.name is not null then now() else contacts.updated_at end
       returning id`,
      [randomUUID(), tenantParam(tenantId, 'Storing a contact'), jid, phoneNumber, name, lid],
    );
    return row.id;
  }

  async upsertConversation(em: EntityManager, tenantId: string, sessionId: string, contactId: string, chatJid: string): Promise<string> {
    const [row] = await this.query<{ id: string }>(
      em,
      `insert into conversations (id, tenant_id, session_id, contact_id, chat_jid) values (?, ?, ?, ?, ?)
       on conflict (session_id, contact_id) do update set chat_jid = excluded.chat_jid
       returning id`,
      [randomUUID(), tenantParam(tenantId, 'Storing a conversation'), sessionId, contactId, chatJid],
    );
    return row.id;
  }

  /** Finds or creates the conversation of a group (or another shared chat) in a session. */
  async upsertGroupConversation(em: EntityManager, tenantId: string, sessionId: string, groupJid: string, groupName: string | null): Promise<string> {
    const [row] = await this.query<{ id: string }>(
      em,
      `insert into conversations (id, tenant_id, session_id, group_jid, group_name, chat_jid) values (?, ?, ?, ?, ?, ?)
       on conflict (session_id, group_jid) where group_jid is not null do update set group_name = coalesce(excluded.group_name, conversations.group_name)
       returning id`,
      [randomUUID(), tenantParam(tenantId, 'Storing a group conversation'), sessionId, groupJid, groupName, groupJid],
    );
    return row.id;
  }

  /** Inserts a message; returns undefined when the same WhatsApp message is already stored. */
  async insertMessage(em: EntityManager, message: NewMessage): Promise<MessageRow | undefined> {
    const tenantId = tenantParam(message.tenantId, 'Storing a message');
    const [row] = await this.query<MessageRow>(
      em,
      `insert into messages (id, tenant_id, session_id, conversation_id, chat_jid, wa_message_id, direction, type, content, status, sender_name, timestamp, payload, idempotency_key, data, sender_jid, recipient_unverified, source, quoted_message_id)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (select q.id from messages q where q.tenant_id = ? and q.session_id = ? and q.wa_message_id = ? limit 1))
       on conflict do nothing
       returning ${MESSAGE_COLUMNS}`,
      [
        randomUUID(),
        tenantId,
        message.sessionId,
        message.conversationId,
        message.chatJid,
        message.waMessageId,
        message.direction,
        message.type,
        message.content,
        message.status,
        message.senderName,
        message.timestamp,
        message.payloadJson ?? null,
        message.idempotencyKey ?? null,
        message.data ? JSON.stringify(message.data) : null,
        message.senderJid ?? null,
        message.recipientUnverified ?? false,
        message.source ?? 'live',
        tenantId,
        message.sessionId,
        message.quotedWaMessageId ?? null,
      ],
    );
    return row;
  }

  /** Moves the conversation's last message forward (never back) and counts unread inbound messages. */
  async touchConversation(em: EntityManager, tenantId: string, conversationId: string, timestamp: Date, preview: string, inbound: boolean): Promise<ConversationRow> {
    await this.query(
      em,
      `update conversations set
         last_message_preview = case when last_message_at is null or last_message_at <= ? then ? else last_message_preview end,
         last_message_at = greatest(coalesce(last_message_at, ?), ?),
         unread_count = unread_count + ?,
         updated_at = now()
       where tenant_id = ? and id = ?`,
      [timestamp, preview, timestamp, timestamp, inbound ? 1 : 0, tenantParam(tenantId, 'Updating a conversation'), conversationId],
    );
    return (await this.findConversation(em, conversationId, tenantId))!;
  }

  async findConversation(em: EntityManager, conversationId: string, tenantId: string): Promise<ConversationRow | undefined> {
    const [row] = await this.query<ConversationRow>(
      em,
      `select c.id, c.session_id, c.last_message_at, c.last_message_preview, c.unread_count, c.group_jid, c.group_name,
              ct.id as contact_id, ct.name as contact_name, ct.phone_number as contact_phone_number
       from conversations c left join contacts ct on ct.id = c.contact_id
       where c.id = ? and c.tenant_id = ?`,
      [conversationId, tenantParam(tenantId, 'Reading a conversation')],
    );
    return row;
  }

  /**
   * Moves an outbound message to `status` only when that is further along than its current one,
   * so a late "sent" never overwrites "delivered". `failed` replaces only queued, pending or sent.
   * The tenant comes from the current scope, because every caller runs in its session's tenant scope.
   */
  async advanceOutboundStatus(
    em: EntityManager,
    sessionId: string,
    where: { id?: string; waMessageId?: string },
    status: MessageStatus,
    error: MessageError | null = null,
    payloadJson?: string,
  ): Promise<MessageRow | undefined> {
    const order = `array[${OUTBOUND_STATUS_ORDER.map((name) => `'${name}'`).join(',')}]::text[]`;
    const progress =
      status === 'failed'
        ? `status in ('queued', 'pending', 'sent')`
        : `status <> 'failed' and coalesce(array_position(${order}, status), 0) < array_position(${order}, ?::text)`;
    const key = where.id ? 'id = ?' : 'wa_message_id = ?';
    const params: unknown[] = [status, error ? JSON.stringify(error) : null, payloadJson ?? null];
    if (status !== 'failed') params.push(status);
    params.push(scopeTenantId('Advancing the status of an outbound message'), sessionId, where.id ?? where.waMessageId);

    const [row] = await this.query<MessageRow>(
      em,
      `update messages set status = ?, error = ?, payload = coalesce(?::jsonb, payload), updated_at = now()
       where ${progress} and direction = 'out' and tenant_id = ? and session_id = ? and ${key}
       returning ${MESSAGE_COLUMNS}`,
      params,
    );
    return row;
  }

  /** Keeps the proto we sent, whatever status receipts already gave the message. */
  async storePayload(em: EntityManager, tenantId: string, messageId: string, payloadJson: string): Promise<void> {
    await this.query(em, 'update messages set payload = ?::jsonb where tenant_id = ? and id = ?', [payloadJson, tenantParam(tenantId, 'Storing the proto of a sent message'), messageId]);
  }

  /** Sets or replaces one person's reaction; an empty emoji removes it. */
  async applyReaction(em: EntityManager, tenantId: string, sessionId: string, targetWaMessageId: string, by: string, emoji: string): Promise<MessageRow | undefined> {
    const [row] = await this.query<MessageRow>(
      em,
      `update messages set
         reactions = (select coalesce(jsonb_agg(r), '[]'::jsonb) from jsonb_array_elements(reactions) r where r->>'by' <> ?)
                     || case when ? = '' then '[]'::jsonb else jsonb_build_array(jsonb_build_object('by', ?::text, 'emoji', ?::text, 'at', now())) end,
         updated_at = now()
       where tenant_id = ? and session_id = ? and wa_message_id = ?
       returning ${MESSAGE_COLUMNS}`,
      [by, emoji, by, emoji, tenantParam(tenantId, 'Applying a reaction'), sessionId, targetWaMessageId],
    );
    return row;
  }

  /** Records a voter's current choice on a poll (`data.votes`); an empty choice withdraws the vote. */
  async applyPollVote(em: EntityManager, tenantId: string, sessionId: string, pollWaMessageId: string, by: string, options: string[]): Promise<MessageRow | undefined> {
    const [row] = await this.query<MessageRow>(
      em,
      `update messages set
         data = jsonb_set(coalesce(data, '{}'::jsonb), '{votes}',
                  (select coalesce(jsonb_agg(v), '[]'::jsonb) from jsonb_array_elements(coalesce(data->'votes', '[]'::jsonb)) v where v->>'by' <> ?)
                  || case when jsonb_array_length(?::jsonb) = 0 then '[]'::jsonb
                          else jsonb_build_array(jsonb_build_object('by', ?::text, 'options', ?::jsonb, 'at', now())) end),
         updated_at = now()
       where tenant_id = ? and session_id = ? and wa_message_id = ? and type = 'poll'
       returning ${MESSAGE_COLUMNS}`,
      [by, JSON.stringify(options), by, JSON.stringify(options), tenantParam(tenantId, 'Recording a poll vote'), sessionId, pollWaMessageId],
    );
    return row;
  }

  /** Replaces the text of a message and keeps the previous text in its history. */
  async applyEdit(em: EntityManager, tenantId: string, sessionId: string, targetWaMessageId: string, content: string): Promise<MessageRow | undefined> {
    const [row] = await this.query<MessageRow>(
      em,
      `update messages set
         edit_history = edit_history || jsonb_build_array(jsonb_build_object('content', content, 'at', coalesce(edited_at, timestamp))),
         content = ?, edited_at = now(), updated_at = now()
       where tenant_id = ? and session_id = ? and wa_message_id = ? and deleted_at is null
       returning ${MESSAGE_COLUMNS}`,
      [content, tenantParam(tenantId, 'Editing a message'), sessionId, targetWaMessageId],
    );
    return row;
  }

  /** Marks a message deleted for everyone; the row stays so the thread shows where it was. */
  async applyDelete(em: EntityManager, tenantId: string, sessionId: string, targetWaMessageId: string): Promise<MessageRow | undefined> {
    const [row] = await this.query<MessageRow>(
      em,
      `update messages set deleted_at = coalesce(deleted_at, now()), updated_at = now()
       where tenant_id = ? and session_id = ? and wa_message_id = ?
       returning ${MESSAGE_COLUMNS}`,
      [tenantParam(tenantId, 'Deleting a message'), sessionId, targetWaMessageId],
    );
    return row;
  }

  async findPayload(em: EntityManager, tenantId: string, sessionId: string, waMessageId: string): Promise<unknown | undefined> {
    const [row] = await this.query<{ payload: unknown }>(
      em,
      'select payload from messages where tenant_id = ? and session_id = ? and wa_message_id = ? and payload is not null limit 1',
      [tenantParam(tenantId, 'Reading the proto of a stored message'), sessionId, waMessageId],
    );
    return row?.payload ?? undefined;
  }

  private query<T = Record<string, unknown>>(em: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
    return em.getConnection().execute<T[]>(sql, params, 'all', em.getTransactionContext());
  }
}
