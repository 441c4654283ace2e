import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { AppError, validationError } from '../common/app-error';
import { ParsedListQuery } from '../common/list-query';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { RealtimeEvents } from '../realtime/realtime-events';
import { SessionsService } from '../whatsapp-sessions/sessions.service';
import { WhatsAppSession } from '../whatsapp-sessions/whatsapp-session.entity';
import { OutboxService } from './outbox.service';
import { MAX_TEXT_LENGTH, SendResult } from './dto/send-message.dto';
import { ConversationRow, ConversationView, MessageRow, MessageView, previewOf, toConversationView, toMessageView } from './message.views';
import { MessagesRepository } from './messages.repository';
import { parseRecipient, phoneNumberFromJid } from './phone';

export interface ConversationFilter {
  sessionId: string;
  contactId: string;
  q: string;
}

export interface MessageFilter {
  conversationId: string;
  sessionId: string;
  direction: string;
}

const CONVERSATION_SORT: Record<string, string> = { lastMessageAt: 'c.last_message_at', unreadCount: 'c.unread_count', id: 'c.id' };
const MESSAGE_SORT: Record<string, string> = { timestamp: 'm.timestamp', id: 'm.id' };

@Injectable()
export class MessagesService {
  constructor(
    private readonly em: EntityManager,
    private readonly repository: MessagesRepository,
    private readonly sessions: SessionsService,
    private readonly outbox: OutboxService,
    private readonly realtime: RealtimeEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Stores an outbound text in the outbox; it leaves at once when the session is ready and its pacing allows. */
  async sendText(tenantId: string, sessionId: string, to: string, content: string, idempotencyKey?: string): Promise<SendResult> {
    const session = await this.sessions.findOwned(tenantId, sessionId);
    const recipient = parseRecipient(to, this.config.phone.defaultCountry);
    return this.enqueue(session, recipient.jid, recipient.phoneNumber, content, idempotencyKey);
  }

  async reply(tenantId: string, conversationId: string, content: string, idempotencyKey?: string): Promise<SendResult> {
    await this.findConversationRow(tenantId, conversationId);
    const [chat] = await this.em
      .getConnection()
      .execute<{ chat_jid: string; session_id: string }[]>('select chat_jid, session_id from conversations where id = ? and tenant_id = ?', [conversationId, tenantId]);
    const session = await this.sessions.findOwned(tenantId, chat.session_id);
    return this.enqueue(session, chat.chat_jid, phoneNumberFromJid(chat.chat_jid), content, idempotencyKey);
  }

  private async enqueue(session: WhatsAppSession, jid: string, phoneNumber: string | null, content: string, idempotencyKey?: string): Promise<SendResult> {
    const { tenantId, id: sessionId } = session;
    if (content.length > MAX_TEXT_LENGTH) {
      throw AppError.unprocessable('MESSAGE_TOO_LONG', `The text has ${content.length} characters; WhatsApp accepts at most ${MAX_TEXT_LENGTH}. Split it into several messages.`);
    }
    this.assertCanQueue(session);
    if (idempotencyKey) {
      const existing = await this.findByIdempotencyKey(sessionId, idempotencyKey);
      if (existing) return existing;
    }
    await this.assertMayReachOut(session, jid);

    // PostgreSQL text cannot hold NUL characters; WhatsApp gets the original text.
    const storedContent = content.replace(/\u0000/g, '\uFFFD');
    // WhatsApp timestamps have whole seconds; ours match, so ties fall back to arrival order.
    const timestamp = new Date(Math.floor(Date.now() / 1000) * 1000);

    const inserted = await this.em.fork().transactional(async (em) => {
      const contactId = await this.repository.upsertContact(em, tenantId, jid, phoneNumber, null);
      const conversationId = await this.repository.upsertConversation(em, tenantId, sessionId, contactId, jid);
      const row = await this.repository.insertMessage(em, {
        tenantId,
        sessionId,
        conversationId,
        chatJid: jid,
        waMessageId: null,
        direction: 'out',
        type: 'text',
        content: storedContent,
        status: 'queued',
        senderName: null,
        timestamp,
        idempotencyKey,
      });
      if (!row) return undefined;
      const conversation = await this.repository.touchConversation(em, conversationId, timestamp, previewOf(storedContent, 'text'), false);
      return { row, conversation };
    });

    // A concurrent request with the same idempotency key won the insert: return its message.
    if (!inserted) return (await this.findByIdempotencyKey(sessionId, idempotencyKey!))!;

    this.realtime.publish(tenantId, 'message.created', { sessionId, conversationId: inserted.row.conversation_id, message: toMessageView(inserted.row) });
    this.realtime.publish(tenantId, 'conversation.updated', { conversation: toConversationView(inserted.conversation) });
    await this.outbox.kick(sessionId, tenantId);

    const [current] = await this.em
      .getConnection()
      .execute<{ wa_message_id: string | null; status: string }[]>('select wa_message_id, status from messages where id = ?', [inserted.row.id]);
    return { id: inserted.row.id, waMessageId: current.wa_message_id, status: current.status, conversationId: inserted.row.conversation_id };
  }

  /** Sends wait in the outbox only for a session that was linked and may come back by itself. */
  private assertCanQueue(session: WhatsAppSession): void {
    const refusals: Partial<Record<string, [string, string]>> = {
      logged_out: ['SESSION_LOGGED_OUT', 'is logged out. Connect it and scan a new QR code, then send again.'],
      replaced: ['SESSION_REPLACED', 'was taken over by another client with the same credentials. Stop the other client and connect again.'],
      failed: ['SESSION_FAILED', `failed (${session.lastError?.code ?? 'unknown reason'}). Connect it again, then send.`],
    };
    const refusal = refusals[session.status];
    if (refusal) throw AppError.conflict(refusal[0], `Session ${session.id} ${refusal[1]}`);

    const linked = session.autoConnect && session.linkedMode === this.config.whatsapp.mode;
    if (!linked) {
      throw AppError.conflict('SESSION_NOT_CONNECTED', `Session ${session.id} is not linked to a phone yet (status ${session.status}). Connect it (POST /api/sessions/${session.id}/connect) and scan the QR code, then send again.`);
    }
  }

  /** While WhatsApp restricts the number, only contacts who wrote first can be messaged. */
  private async assertMayReachOut(session: WhatsAppSession, jid: string): Promise<void> {
    if (!session.reachOutLockedUntil || session.reachOutLockedUntil <= new Date()) return;
    const [row] = await this.em.getConnection().execute<{ wrote_first: boolean }[]>(
      `select exists (select 1 from messages m join conversations c on c.id = m.conversation_id
                      where c.session_id = ? and c.chat_jid = ? and m.direction = 'in') as wrote_first`,
      [session.id, jid],
    );
    if (row?.wrote_first) return;
    throw AppError.conflict(
      'REACH_OUT_LOCKED',
      `WhatsApp restricted session ${session.id} from messaging people who never wrote first until ${session.reachOutLockedUntil.toISOString()}. Existing chats still work.`,
      { lockedUntil: session.reachOutLockedUntil.toISOString() },
    );
  }

  private async findByIdempotencyKey(sessionId: string, key: string): Promise<SendResult | undefined> {
    const [row] = await this.em
      .getConnection()
      .execute<{ id: string; wa_message_id: string | null; status: string; conversation_id: string }[]>(
        'select id, wa_message_id, status, conversation_id from messages where session_id = ? and idempotency_key = ?',
        [sessionId, key],
      );
    return row ? { id: row.id, waMessageId: row.wa_message_id, status: row.status, conversationId: row.conversation_id } : undefined;
  }

  async markRead(tenantId: string, conversationId: string): Promise<ConversationView> {
    await this.findConversationRow(tenantId, conversationId);
    await this.em.getConnection().execute('update conversations set unread_count = 0, updated_at = now() where id = ? and tenant_id = ?', [conversationId, tenantId]);

    const conversation = toConversationView((await this.repository.findConversation(this.em, conversationId, tenantId))!);
    this.realtime.publish(tenantId, 'conversation.updated', { conversation });
    return conversation;
  }

  async getConversation(tenantId: string, conversationId: string): Promise<ConversationView> {
    return toConversationView(await this.findConversationRow(tenantId, conversationId));
  }

  async listConversations(tenantId: string, query: ParsedListQuery<Partial<ConversationFilter>>): Promise<{ items: ConversationView[]; total: number }> {
    assertUuidFilters(query.filter, ['sessionId', 'contactId']);
    const where = ['c.tenant_id = ?'];
    const params: unknown[] = [tenantId];
    if (query.filter.sessionId) {
      where.push('c.session_id = ?');
      params.push(String(query.filter.sessionId));
    }
    if (query.filter.contactId) {
      where.push('c.contact_id = ?');
      params.push(String(query.filter.contactId));
    }
    if (query.filter.q) {
      where.push(`(ct.name ilike ? or ct.phone_number like ?)`);
      const term = String(query.filter.q).replace(/[\\%_]/g, (character) => `\\${character}`);
      params.push(`%${term}%`, `%${term.replace(/[^\d]/g, '') || term}%`);
    }

    const from = 'from conversations c join contacts ct on ct.id = c.contact_id';
    const order = `${CONVERSATION_SORT[query.sortField]} ${query.sortOrder} nulls last, c.id`;
    const connection = this.em.getConnection();
    const rows = await connection.execute<ConversationRow[]>(
      `select c.id, c.session_id, c.last_message_at, c.last_message_preview, c.unread_count, ct.id as contact_id, ct.name as contact_name, ct.phone_number as contact_phone_number
       ${from} where ${where.join(' and ')} order by ${order} limit ? offset ?`,
      [...params, query.limit, query.offset],
    );
    const [{ count }] = await connection.execute<{ count: string }[]>(`select count(*) ${from} where ${where.join(' and ')}`, params);
    return { items: rows.map(toConversationView), total: Number(count) };
  }

  async listMessages(tenantId: string, query: ParsedListQuery<Partial<MessageFilter>>): Promise<{ items: MessageView[]; total: number }> {
    assertUuidFilters(query.filter, ['conversationId', 'sessionId']);
    if (query.filter.direction !== undefined && !['in', 'out'].includes(String(query.filter.direction))) {
      throw validationError([{ field: 'filter.direction', reason: 'must be "in" or "out"' }]);
    }
    const where = ['m.tenant_id = ?'];
    const params: unknown[] = [tenantId];
    for (const [field, column] of [['conversationId', 'm.conversation_id'], ['sessionId', 'm.session_id'], ['direction', 'm.direction']] as const) {
      const value = query.filter[field];
      if (value === undefined) continue;
      where.push(`${column} = ?`);
      params.push(String(value));
    }

    const order = `${MESSAGE_SORT[query.sortField]} ${query.sortOrder}, m.created_at ${query.sortOrder}`;
    const connection = this.em.getConnection();
    const rows = await connection.execute<MessageRow[]>(
      `select m.id, m.session_id, m.conversation_id, m.wa_message_id, m.direction, m.type, m.content, m.status, m.error, m.timestamp, m.sender_name,
              m.data, m.quoted_message_id, m.reactions, m.edited_at, m.deleted_at
       from messages m where ${where.join(' and ')} order by ${order} limit ? offset ?`,
      [...params, query.limit, query.offset],
    );
    const [{ count }] = await connection.execute<{ count: string }[]>(`select count(*) from messages m where ${where.join(' and ')}`, params);
    return { items: rows.map(toMessageView), total: Number(count) };
  }

  private async findConversationRow(tenantId: string, conversationId: string): Promise<ConversationRow> {
    const row = isUuid(conversationId) ? await this.repository.findConversation(this.em, conversationId, tenantId) : undefined;
    if (!row) throw AppError.notFound('CONVERSATION_NOT_FOUND', `Conversation ${conversationId.slice(0, 64)} was not found in your tenant.`);
    return row;
  }
}

export const CONVERSATION_SORT_FIELDS = Object.keys(CONVERSATION_SORT);
export const MESSAGE_SORT_FIELDS = Object.keys(MESSAGE_SORT);

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

function assertUuidFilters(filter: object, fields: string[]): void {
  for (const field of fields) {
    const value = (filter as Record<string, unknown>)[field];
    if (value !== undefined && !(typeof value === 'string' && isUuid(value))) {
      throw validationError([{ field: `filter.${field}`, reason: 'must be a UUID' }]);
    }
  }
}
