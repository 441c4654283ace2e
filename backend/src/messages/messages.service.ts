import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError, validationError } from '../common/app-error';
import { ParsedListQuery } from '../common/list-query';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { RealtimeEvents } from '../realtime/realtime-events';
import { BAILEYS, type Baileys } from '../whatsapp-sessions/baileys.provider';
import { ConnectionManager } from '../whatsapp-sessions/connection-manager.service';
import { SessionsService } from '../whatsapp-sessions/sessions.service';
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
  private readonly logger = new Logger(MessagesService.name);

  constructor(
    private readonly em: EntityManager,
    private readonly repository: MessagesRepository,
    private readonly sessions: SessionsService,
    private readonly connections: ConnectionManager,
    private readonly realtime: RealtimeEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(BAILEYS) private readonly baileys: Baileys,
  ) {}

  /** Stores an outbound text, then hands it to Baileys without waiting for WhatsApp. */
  async sendText(tenantId: string, sessionId: string, to: string, content: string): Promise<SendResult> {
    const session = await this.sessions.findOwned(tenantId, sessionId);
    const recipient = parseRecipient(to, this.config.phone.defaultCountry);
    return this.sendToJid(tenantId, session.id, recipient.jid, recipient.phoneNumber, content);
  }

  async reply(tenantId: string, conversationId: string, content: string): Promise<SendResult> {
    const conversation = await this.findConversationRow(tenantId, conversationId);
    const [chat] = await this.em
      .getConnection()
      .execute<{ chat_jid: string }[]>('select chat_jid from conversations where id = ? and tenant_id = ?', [conversationId, tenantId]);
    return this.sendToJid(tenantId, conversation.session_id, chat.chat_jid, phoneNumberFromJid(chat.chat_jid), content);
  }

  private async sendToJid(tenantId: string, sessionId: string, jid: string, phoneNumber: string | null, content: string): Promise<SendResult> {
    if (content.length > MAX_TEXT_LENGTH) {
      throw AppError.unprocessable('MESSAGE_TOO_LONG', `The text has ${content.length} characters; WhatsApp accepts at most ${MAX_TEXT_LENGTH}. Split it into several messages.`);
    }
    if (!this.connections.openSocket(sessionId)) {
      throw AppError.conflict('SESSION_NOT_CONNECTED', `Session ${sessionId} is not connected. Connect it (POST /api/sessions/${sessionId}/connect) and scan the QR code, then send again.`);
    }

    // PostgreSQL text cannot hold NUL characters; WhatsApp gets the original text.
    const storedContent = content.replace(/\u0000/g, '\uFFFD');
    const waMessageId = this.connections.generateMessageId(sessionId);
    // WhatsApp timestamps have whole seconds; ours match, so ties fall back to arrival order.
    const timestamp = new Date(Math.floor(Date.now() / 1000) * 1000);

    const { row, conversation } = await this.em.fork().transactional(async (em) => {
      const contactId = await this.repository.upsertContact(em, tenantId, jid, phoneNumber, null);
      const conversationId = await this.repository.upsertConversation(em, tenantId, sessionId, contactId, jid);
      const inserted = await this.repository.insertMessage(em, {
        tenantId,
        sessionId,
        conversationId,
        chatJid: jid,
        waMessageId,
        direction: 'out',
        type: 'text',
        content: storedContent,
        status: 'pending',
        senderName: null,
        timestamp,
      });
      const touched = await this.repository.touchConversation(em, conversationId, timestamp, previewOf(storedContent, 'text'), false);
      return { row: inserted!, conversation: touched };
    });

    this.realtime.publish(tenantId, 'message.created', { sessionId, conversationId: row.conversation_id, message: toMessageView(row) });
    this.realtime.publish(tenantId, 'conversation.updated', { conversation: toConversationView(conversation) });
    void this.deliver(tenantId, sessionId, row, jid, content);

    return { id: row.id, waMessageId, status: row.status, conversationId: row.conversation_id };
  }

  private async deliver(tenantId: string, sessionId: string, row: MessageRow, jid: string, content: string): Promise<void> {
    let updated: MessageRow | undefined;
    try {
      const sent = await this.connections.sendText(sessionId, jid, content, row.wa_message_id!);
      const payloadJson = sent?.message ? JSON.stringify(sent.message, this.baileys.BufferJSON.replacer) : undefined;
      updated = await this.repository.advanceOutboundStatus(this.em.fork(), sessionId, { id: row.id }, 'sent', null, payloadJson);
    } catch (error) {
      this.logger.warn({ sessionId, messageId: row.id, reason: (error as Error).message }, 'Failed to send a message');
      const failure = { code: 'SEND_FAILED', message: 'WhatsApp did not accept the message. Check that the session is connected and send it again.' };
      updated = await this.repository.advanceOutboundStatus(this.em.fork(), sessionId, { id: row.id }, 'failed', failure);
    }

    if (updated) {
      this.realtime.publish(tenantId, 'message.updated', { sessionId, conversationId: updated.conversation_id, id: updated.id, status: updated.status, error: updated.error });
    }
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
      `select m.id, m.session_id, m.conversation_id, m.wa_message_id, m.direction, m.type, m.content, m.status, m.error, m.timestamp, m.sender_name
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
