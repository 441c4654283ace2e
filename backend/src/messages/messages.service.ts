import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError, validationError } from '../common/app-error';
import { OutboundUrlGuard } from '../common/outbound-url';
import { tenantParam } from '../common/tenant-context';
import { MediaService, tooLarge } from '../media/media.service';
import { checkMediaType, isMediaMessageType, type MediaMessageType } from '../media/mime-sniff';
import { ParsedListQuery } from '../common/list-query';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { RealtimeEvents } from '../realtime/realtime-events';
import { loadTenantSettings } from '../settings/settings.service';
import { ConnectionManager } from '../whatsapp-sessions/connection-manager.service';
import { SessionsService } from '../whatsapp-sessions/sessions.service';
import { WhatsAppSession } from '../whatsapp-sessions/whatsapp-session.entity';
import { OutboxService } from './outbox.service';
import { MAX_TEXT_LENGTH, ReplyDto, SendMessageDto, SendResult, UploadedMedia } from './dto/send-message.dto';
import { ConversationRow, ConversationView, MessageRow, MessageView, previewOf, toConversationView, toMessageView } from './message.views';
import { classifyJid } from './message-content';
import { MESSAGE_COLUMNS, MessagesRepository } from './messages.repository';
import { parseRecipient, phoneNumberFromJid } from './phone';
import { RecipientResolver } from './recipient-resolver';

interface OwnMessageRow {
  id: string;
  session_id: string;
  chat_jid: string;
  wa_message_id: string;
  type: string;
}

interface OutboundDraft {
  type: string;
  content: string | null;
  data?: Record<string, unknown>;
  quotedWaMessageId?: string;
}

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

/** Read receipts sent per opening, newest first; any older ones go out the next time the conversation opens. */
const READ_RECEIPT_BATCH = 100;

const CONVERSATION_SORT: Record<string, string> = { lastMessageAt: 'c.last_message_at', unreadCount: 'c.unread_count', id: 'c.id' };
const MESSAGE_SORT: Record<string, string> = { timestamp: 'm.timestamp', id: 'm.id' };

@Injectable()
export class MessagesService {
  private readonly logger = new Logger(MessagesService.name);

  constructor(
    private readonly em: EntityManager,
    private readonly repository: MessagesRepository,
    private readonly sessions: SessionsService,
    private readonly outbox: OutboxService,
    private readonly recipients: RecipientResolver,
    private readonly connections: ConnectionManager,
    private readonly realtime: RealtimeEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly media: MediaService,
    private readonly urls: OutboundUrlGuard,
  ) {}

  /**
   * Stores an outbound message in the outbox; it leaves at once when the session is ready and its
   * pacing allows. The number is checked with WhatsApp now, or by the outbox when the session is away.
   */
  async send(tenantId: string, sessionId: string, body: SendMessageDto, idempotencyKey?: string, file?: UploadedMedia): Promise<SendResult> {
    const session = await this.sessions.findOwned(tenantId, sessionId);
    const parsed = parseRecipient(body.to, this.config.phone.defaultCountry);
    this.assertCanQueue(session);

    const recipient = await this.recipients.resolve(tenantId, sessionId, parsed, body.to);
    return this.enqueue(session, recipient.jid, recipient.phoneNumber, body, idempotencyKey, !recipient.verified, undefined, file);
  }

  /**
   * Sends a message in a conversation. `automation` marks an automatic reply: it is stored as
   * `data.automation` (the hook that wrote it), which the panel shows and the hook safety limits count.
   */
  async reply(tenantId: string, conversationId: string, body: ReplyDto, idempotencyKey?: string, automation?: Record<string, unknown>, file?: UploadedMedia): Promise<SendResult> {
    await this.findConversationRow(tenantId, conversationId);
    const [chat] = await this.em
      .getConnection()
      .execute<{ chat_jid: string; session_id: string }[]>('select chat_jid, session_id from conversations where id = ? and tenant_id = ?', [conversationId, tenantParam(tenantId, 'Reading the chat of a conversation')]);
    const session = await this.sessions.findOwned(tenantId, chat.session_id);
    return this.enqueue(session, chat.chat_jid, phoneNumberFromJid(chat.chat_jid), body, idempotencyKey, false, automation, file);
  }

  private async enqueue(
    session: WhatsAppSession,
    jid: string,
    phoneNumber: string | null,
    body: ReplyDto,
    idempotencyKey?: string,
    recipientUnverified = false,
    automation?: Record<string, unknown>,
    file?: UploadedMedia,
  ): Promise<SendResult> {
    const { tenantId, id: sessionId } = session;
    if (file && !isMediaMessageType(body.type)) throw validationError([{ field: 'file', reason: 'is only taken with type image, video, audio, document or sticker' }]);
    const draft = await this.draftOf(session, jid, body, file);
    if (automation) draft.data = { ...draft.data, automation };
    this.assertCanQueue(session);
    if (idempotencyKey) {
      const existing = await this.findByIdempotencyKey(tenantId, sessionId, idempotencyKey);
      if (existing) return existing;
    }
    await this.assertMayReachOut(session, jid);

    // PostgreSQL text cannot hold NUL characters; WhatsApp gets the original text.
    const storedContent = draft.content === null ? null : draft.content.replace(/\u0000/g, '\uFFFD');
    // WhatsApp timestamps have whole seconds; ours match, so ties fall back to arrival order.
    const timestamp = new Date(Math.floor(Date.now() / 1000) * 1000);

    const inserted = await this.em.fork().transactional(async (em) => {
      // A group (or another shared chat) is its own conversation; a person's chat goes through the contact.
      const conversationId = ['group', 'status', 'newsletter'].includes(classifyJid(jid))
        ? await this.repository.upsertGroupConversation(em, tenantId, sessionId, jid, null)
        : await this.repository.upsertConversation(em, tenantId, sessionId, await this.repository.upsertContact(em, tenantId, jid, phoneNumber, null), jid);
      const row = await this.repository.insertMessage(em, {
        tenantId,
        sessionId,
        conversationId,
        chatJid: jid,
        waMessageId: null,
        direction: 'out',
        type: draft.type,
        content: storedContent,
        status: 'queued',
        senderName: null,
        timestamp,
        idempotencyKey,
        data: draft.data,
        quotedWaMessageId: draft.quotedWaMessageId,
        recipientUnverified,
      });
      if (!row) return undefined;
      // A reaction changes an earlier message instead of starting a new one, so the preview stays.
      const conversation =
        draft.type === 'reaction'
          ? (await this.repository.findConversation(em, conversationId, tenantId))!
          : await this.repository.touchConversation(em, tenantId, conversationId, timestamp, previewOf(storedContent, draft.type), false);
      return { row, conversation };
    });

    // A concurrent request with the same idempotency key won the insert: return its message.
    if (!inserted) return (await this.findByIdempotencyKey(tenantId, sessionId, idempotencyKey!))!;

    if (draft.type !== 'reaction') {
      this.realtime.publish(tenantId, 'message.created', { sessionId, conversationId: inserted.row.conversation_id, message: this.media.withUrl(toMessageView(inserted.row), tenantId) });
      this.realtime.publish(tenantId, 'conversation.updated', { conversation: toConversationView(inserted.conversation) });
    }
    await this.outbox.kick(sessionId, tenantId);

    const [current] = await this.em
      .getConnection()
      .execute<{ wa_message_id: string | null; status: string }[]>('select wa_message_id, status from messages where tenant_id = ? and id = ?', [
        tenantParam(tenantId, 'Reading the status of a queued message'),
        inserted.row.id,
      ]);
    return { id: inserted.row.id, waMessageId: current.wa_message_id, status: current.status, conversationId: inserted.row.conversation_id };
  }

  /** Checks a message to send and turns it into what is stored: its type, readable text and data. */
  private async draftOf(session: WhatsAppSession, jid: string, body: ReplyDto, file?: UploadedMedia): Promise<OutboundDraft> {
    const type = body.type ?? 'text';
    const quoted = body.replyTo ? await this.findSentMessage(session, jid, body.replyTo, 'replyTo') : undefined;
    const quotedWaMessageId = quoted?.wa_message_id ?? undefined;
    if (isMediaMessageType(type)) return { ...(await this.mediaDraft(session.tenantId, type, body, file)), quotedWaMessageId };

    switch (type) {
      case 'location':
        return { type, content: body.name ?? body.address ?? null, data: { latitude: body.latitude, longitude: body.longitude, name: body.name ?? null, address: body.address ?? null }, quotedWaMessageId };
      case 'contact': {
        const contact = parseRecipient(body.phoneNumber!, this.config.phone.defaultCountry, 'phoneNumber');
        const digits = contact.phoneNumber.slice(1);
        const vcard = ['BEGIN:VCARD', 'VERSION:3.0', `FN:${body.name}`, `TEL;type=CELL;type=VOICE;waid=${digits}:${contact.phoneNumber}`, 'END:VCARD'].join('\n');
        return { type, content: body.name!, data: { contacts: [{ name: body.name, phoneNumber: contact.phoneNumber, vcard }] }, quotedWaMessageId };
      }
      case 'poll':
        return { type, content: body.name!, data: { name: body.name, options: body.options, multiple: body.multiple ?? false }, quotedWaMessageId };
      case 'reaction': {
        const target = await this.findSentMessage(session, jid, body.messageId!, 'messageId');
        return { type, content: body.emoji ?? '', data: { targetMessageId: target.id, targetWaMessageId: target.wa_message_id, emoji: body.emoji ?? '' } };
      }
      default: {
        const content = body.content!;
        if (content.length > MAX_TEXT_LENGTH) {
          throw AppError.unprocessable('MESSAGE_TOO_LONG', `The text has ${content.length} characters; WhatsApp accepts at most ${MAX_TEXT_LENGTH}. Split it into several messages.`);
        }
        return { type: 'text', content, quotedWaMessageId };
      }
    }
  }

  /**
   * Checks and stores the file of a media message, from a multipart upload or from a URL fetched
   * through the outbound URL guard, and returns the draft with `data.media`.
   */
  private async mediaDraft(tenantId: string, type: MediaMessageType, body: ReplyDto, file?: UploadedMedia): Promise<OutboundDraft> {
    const problems = [];
    if (file && body.url) problems.push({ field: 'url', reason: 'give either a file upload or a url, not both' });
    if (!file && !body.url) problems.push({ field: 'file', reason: `a ${type} needs a multipart "file" field or a "url"` });
    if (body.ptt && type !== 'audio') problems.push({ field: 'ptt', reason: 'applies to type audio only' });
    if (body.caption && (type === 'audio' || type === 'sticker')) problems.push({ field: 'caption', reason: `WhatsApp shows no caption on ${type === 'audio' ? 'an audio' : 'a sticker'}` });
    if (problems.length) throw validationError(problems);

    const { maxBytes, fetchTimeoutMs } = this.config.media;
    let bytes: Buffer;
    let declared: string | undefined;
    let originalName: string | undefined;
    if (file) {
      bytes = file.buffer;
      declared = file.mimetype;
      // Multer decodes the multipart file name as Latin-1; browsers send UTF-8.
      originalName = Buffer.from(file.originalname, 'latin1').toString('utf8');
    } else {
      const response = await this.urls.fetch(body.url!, { timeoutMs: fetchTimeoutMs, maxBytes, maxSameHostRedirects: 3, field: 'url' });
      if (response.status !== 200) {
        throw AppError.unprocessable('URL_FAILED', `url returned HTTP ${response.status} instead of 200 with the file. Check that the URL opens the file without logging in.`);
      }
      bytes = response.body;
      declared = String(response.headers['content-type'] ?? '') || undefined;
      originalName = safeDecode(new URL(response.url).pathname.split('/').pop() ?? '') || undefined;
    }
    if (bytes.length === 0) throw AppError.unprocessable('MEDIA_EMPTY', `The ${file ? 'uploaded file' : 'file at url'} is empty. Send a file with content.`);
    if (bytes.length > maxBytes) throw tooLarge(file ? 'The uploaded file' : 'The file at url', bytes.length, maxBytes);

    const checked = checkMediaType({ bytes, messageType: type, declaredMimeType: declared, allowedMimeTypes: this.config.media.allowedMimeTypes, source: file ? 'file' : 'url' });
    // Multipart parsing drops type parameters, and WhatsApp plays Ogg audio only as Opus.
    const mimeType = checked === 'audio/ogg' ? 'audio/ogg; codecs=opus' : checked;
    const fileName = type === 'document' ? cleanFileName(body.fileName ?? originalName ?? 'document') : body.fileName;
    const stored = await this.media.save(tenantId, bytes, mimeType, fileName);
    const caption = body.caption ?? null;
    return {
      type,
      content: caption ?? (type === 'document' ? (fileName ?? null) : null),
      data: { media: { ...stored, ...(type === 'audio' && body.ptt ? { ptt: true } : {}), status: 'stored' }, ...(caption ? { caption } : {}) },
    };
  }

  /** A message of this chat that WhatsApp already has, so it can be quoted or reacted to. */
  private async findSentMessage(session: WhatsAppSession, jid: string, messageId: string, field: string): Promise<{ id: string; wa_message_id: string }> {
    const [row] = await this.em
      .getConnection()
      .execute<{ id: string; wa_message_id: string | null }[]>('select id, wa_message_id from messages where id = ? and session_id = ? and chat_jid = ? and tenant_id = ?', [
        messageId,
        session.id,
        jid,
        tenantParam(session.tenantId, 'Reading a message to quote or react to'),
      ]);
    if (!row) throw AppError.notFound('MESSAGE_NOT_FOUND', `${field} ${messageId} is not a message of this conversation.`);
    if (!row.wa_message_id) throw AppError.conflict('MESSAGE_NOT_SENT', `${field} ${messageId} has not reached WhatsApp yet; wait until it is sent.`);
    return { id: row.id, wa_message_id: row.wa_message_id };
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
    const tenantId = tenantParam(session.tenantId, 'Checking whether a contact wrote first');
    const [row] = await this.em.getConnection().execute<{ wrote_first: boolean }[]>(
      `select exists (select 1 from messages m join conversations c on c.id = m.conversation_id
                      where c.tenant_id = ? and m.tenant_id = ? and c.session_id = ? and c.chat_jid = ? and m.direction = 'in') as wrote_first`,
      [tenantId, tenantId, session.id, jid],
    );
    if (row?.wrote_first) return;
    throw AppError.conflict(
      'REACH_OUT_LOCKED',
      `WhatsApp restricted session ${session.id} from messaging people who never wrote first until ${session.reachOutLockedUntil.toISOString()}. Existing chats still work.`,
      { lockedUntil: session.reachOutLockedUntil.toISOString() },
    );
  }

  private async findByIdempotencyKey(tenantId: string, sessionId: string, key: string): Promise<SendResult | undefined> {
    const [row] = await this.em
      .getConnection()
      .execute<{ id: string; wa_message_id: string | null; status: string; conversation_id: string }[]>(
        'select id, wa_message_id, status, conversation_id from messages where tenant_id = ? and session_id = ? and idempotency_key = ?',
        [tenantParam(tenantId, 'Looking up a message by idempotency key'), sessionId, key],
      );
    return row ? { id: row.id, waMessageId: row.wa_message_id, status: row.status, conversationId: row.conversation_id } : undefined;
  }

  /** Edits the text of one of our sent messages, on WhatsApp and here. */
  async edit(tenantId: string, messageId: string, content: string): Promise<MessageView> {
    if (content.length > MAX_TEXT_LENGTH) {
      throw AppError.unprocessable('MESSAGE_TOO_LONG', `The text has ${content.length} characters; WhatsApp accepts at most ${MAX_TEXT_LENGTH}.`);
    }
    const target = await this.findOwnSentMessage(tenantId, messageId);
    if (target.type !== 'text') throw AppError.conflict('MESSAGE_NOT_EDITABLE', `Message ${messageId} is a ${target.type}; only text can be edited.`);

    await this.connections.send(target.session_id, target.chat_jid, { text: content, edit: this.keyOf(target) }, this.connections.generateMessageId(target.session_id));
    const row = (await this.repository.applyEdit(this.em.fork(), tenantId, target.session_id, target.wa_message_id, content.replace(/\u0000/g, '\uFFFD')))!;
    const view = toMessageView(row);
    this.realtime.publish(tenantId, 'message.updated', { sessionId: row.session_id, conversationId: row.conversation_id, id: row.id, content: view.content, editedAt: view.editedAt });
    return view;
  }

  /** Deletes one of our sent messages for everyone. */
  async deleteForEveryone(tenantId: string, messageId: string): Promise<MessageView> {
    const target = await this.findOwnSentMessage(tenantId, messageId);
    await this.connections.send(target.session_id, target.chat_jid, { delete: this.keyOf(target) }, this.connections.generateMessageId(target.session_id));
    const row = (await this.repository.applyDelete(this.em.fork(), tenantId, target.session_id, target.wa_message_id))!;
    const view = toMessageView(row);
    this.realtime.publish(tenantId, 'message.updated', { sessionId: row.session_id, conversationId: row.conversation_id, id: row.id, deletedAt: view.deletedAt });
    return view;
  }

  private async findOwnSentMessage(tenantId: string, messageId: string): Promise<OwnMessageRow> {
    const [row] = isUuid(messageId)
      ? await this.em
          .getConnection()
          .execute<(OwnMessageRow & { direction: string; deleted_at: Date | null })[]>(
            'select id, session_id, chat_jid, wa_message_id, type, direction, deleted_at from messages where id = ? and tenant_id = ?',
            [messageId, tenantParam(tenantId, 'Reading a sent message')],
          )
      : [];
    if (!row) throw AppError.notFound('MESSAGE_NOT_FOUND', `Message ${messageId.slice(0, 64)} was not found in your tenant.`);
    if (row.direction !== 'out') throw AppError.conflict('MESSAGE_NOT_OURS', `Message ${messageId} came from the customer; only messages you sent can be changed.`);
    if (row.deleted_at) throw AppError.conflict('MESSAGE_DELETED', `Message ${messageId} was already deleted.`);
    if (!row.wa_message_id) throw AppError.conflict('MESSAGE_NOT_SENT', `Message ${messageId} has not reached WhatsApp yet; wait until it is sent.`);
    if (!this.connections.readySocket(row.session_id)) {
      throw AppError.conflict('SESSION_NOT_CONNECTED', `Session ${row.session_id} is not connected in this app process. Connect it and try again.`);
    }
    return row as OwnMessageRow;
  }

  private keyOf(row: OwnMessageRow): { remoteJid: string; fromMe: true; id: string } {
    return { remoteJid: row.chat_jid, fromMe: true, id: row.wa_message_id };
  }

  /** The conversation was opened: nothing is unread, and the customer may learn that (a tenant setting). */
  async markRead(tenantId: string, conversationId: string): Promise<ConversationView> {
    const row = await this.findConversationRow(tenantId, conversationId);
    await this.em.getConnection().execute('update conversations set unread_count = 0, updated_at = now() where id = ? and tenant_id = ?', [conversationId, tenantParam(tenantId, 'Marking a conversation read')]);
    await this.sendReadReceipts(tenantId, row.session_id, conversationId);

    const conversation = toConversationView((await this.repository.findConversation(this.em, conversationId, tenantId))!);
    this.realtime.publish(tenantId, 'conversation.updated', { conversation });
    return conversation;
  }

  /**
   * Sends read receipts for the customer messages of a conversation that had none yet. A session
   * that is away sends them the next time the conversation is opened; opening never fails on it.
   */
  private async sendReadReceipts(tenantId: string, sessionId: string, conversationId: string): Promise<void> {
    if (!(await loadTenantSettings(this.em, tenantId)).readReceipts) return;
    const unread = await this.em.getConnection().execute<{ id: string; chat_jid: string; wa_message_id: string; sender_jid: string | null }[]>(
      `select id, chat_jid, wa_message_id, sender_jid from messages
       where conversation_id = ? and tenant_id = ? and direction = 'in' and read_receipt_at is null and wa_message_id is not null
       order by timestamp desc limit ${READ_RECEIPT_BATCH}`,
      [conversationId, tenantParam(tenantId, 'Reading messages awaiting a read receipt')],
    );
    if (unread.length === 0) return;

    const keys = unread.map((message) => ({ remoteJid: message.chat_jid, id: message.wa_message_id, participant: message.sender_jid ?? undefined }));
    const sent = await this.connections.readMessages(sessionId, tenantId, keys).catch((error: Error) => {
      this.logger.warn({ sessionId, conversationId, reason: error.message }, 'Could not send read receipts');
      return false;
    });
    if (!sent) return;

    const ids = unread.map((message) => message.id);
    await this.em
      .getConnection()
      .execute(`update messages set read_receipt_at = now() where tenant_id = ? and id in (${ids.map(() => '?').join(', ')})`, [tenantParam(tenantId, 'Recording read receipts'), ...ids]);
  }

  async getConversation(tenantId: string, conversationId: string): Promise<ConversationView> {
    return toConversationView(await this.findConversationRow(tenantId, conversationId));
  }

  async listConversations(tenantId: string, query: ParsedListQuery<Partial<ConversationFilter>>): Promise<{ items: ConversationView[]; total: number }> {
    assertUuidFilters(query.filter, ['sessionId', 'contactId']);
    const where = ['c.tenant_id = ?'];
    const params: unknown[] = [tenantParam(tenantId, 'Listing conversations')];
    if (query.filter.sessionId) {
      where.push('c.session_id = ?');
      params.push(String(query.filter.sessionId));
    }
    if (query.filter.contactId) {
      where.push('c.contact_id = ?');
      params.push(String(query.filter.contactId));
    }
    if (query.filter.q) {
      where.push(`(ct.name ilike ? or ct.phone_number like ? or c.group_name ilike ?)`);
      const term = String(query.filter.q).replace(/[\\%_]/g, (character) => `\\${character}`);
      params.push(`%${term}%`, `%${term.replace(/[^\d]/g, '') || term}%`, `%${term}%`);
    }

    const from = 'from conversations c left join contacts ct on ct.id = c.contact_id';
    const order = `${CONVERSATION_SORT[query.sortField]} ${query.sortOrder} nulls last, c.id`;
    const connection = this.em.getConnection();
    const rows = await connection.execute<ConversationRow[]>(
      `select c.id, c.session_id, c.last_message_at, c.last_message_preview, c.unread_count, c.group_jid, c.group_name,
              ct.id as contact_id, ct.name as contact_name, ct.phone_number as contact_phone_number
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
    // The tenant condition opens each statement below, so its parameter comes first in `params`.
    // Our own reactions are rows for the outbox only; they show under the message they react to.
    const where = ["m.type <> 'reaction'"];
    const params: unknown[] = [tenantParam(tenantId, 'Listing messages')];
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
              m.data, m.quoted_message_id, m.reactions, m.edited_at, m.deleted_at, m.sender_jid
       from messages m where m.tenant_id = ? and ${where.join(' and ')} order by ${order} limit ? offset ?`,
      [...params, query.limit, query.offset],
    );
    const [{ count }] = await connection.execute<{ count: string }[]>(`select count(*) from messages m where m.tenant_id = ? and ${where.join(' and ')}`, params);
    return { items: rows.map((row) => this.media.withUrl(toMessageView(row), tenantId)), total: Number(count) };
  }

  async getMessage(tenantId: string, messageId: string): Promise<MessageView> {
    const [row] = isUuid(messageId)
      ? await this.em.getConnection().execute<MessageRow[]>(`select ${MESSAGE_COLUMNS} from messages where id = ? and tenant_id = ?`, [messageId, tenantParam(tenantId, 'Reading a message')])
      : [];
    if (!row) throw AppError.notFound('MESSAGE_NOT_FOUND', `Message ${messageId.slice(0, 64)} was not found in your tenant.`);
    return this.media.withUrl(toMessageView(row), tenantId);
  }

  private async findConversationRow(tenantId: string, conversationId: string): Promise<ConversationRow> {
    const row = isUuid(conversationId) ? await this.repository.findConversation(this.em, conversationId, tenantId) : undefined;
    if (!row) throw AppError.notFound('CONVERSATION_NOT_FOUND', `Conversation ${conversationId.slice(0, 64)} was not found in your tenant.`);
    return row;
  }
}

export const CONVERSATION_SORT_FIELDS = Object.keys(CONVERSATION_SORT);
export const MESSAGE_SORT_FIELDS = Object.keys(MESSAGE_SORT);

/** A file name without folders or control characters, at most 255 characters. */
function cleanFileName(name: string): string {
  const cleaned = name.replace(/[\u0000-\u001f\u007f]/g, '').split(/[\\/]/).pop()!.trim().slice(0, 255);
  return cleaned || 'document';
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

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
