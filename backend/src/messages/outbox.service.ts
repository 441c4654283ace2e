import type { AnyMessageContent, WAMessage } from '@whiskeysockets/baileys';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Subscription } from 'rxjs';
import { ClusterBus } from '../cluster/cluster-bus';
import { SessionLeases } from '../cluster/session-leases';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { MediaService } from '../media/media.service';
import { RealtimeEvents } from '../realtime/realtime-events';
import { BAILEYS, type Baileys } from '../whatsapp-sessions/baileys.provider';
import { ConnectionManager } from '../whatsapp-sessions/connection-manager.service';
import { WhatsAppEvents } from '../whatsapp-sessions/whatsapp-events';
import { MessageRow, toPayloadJson } from './message.views';
import { MESSAGE_COLUMNS, MessagesRepository } from './messages.repository';
import { phoneNumberFromJid } from './phone';
import { notOnWhatsApp, RecipientResolver } from './recipient-resolver';
import { runInTenant, tenantParam } from '../common/tenant-context';

interface QueuedRow {
  id: string;
  type: string;
  data: Record<string, unknown> | null;
  quoted_message_id: string | null;
  /** Kept from an earlier attempt, so a resend carries the same id and the recipient drops the repeat. */
  wa_message_id: string | null;
  conversation_id: string;
  chat_jid: string;
  content: string;
  has_inbound: boolean;
  recipient_unverified: boolean;
}

const BATCH_SIZE = 100;
const MAX_ATTEMPTS = 5;

/** Baileys reports a socket that closed under a send as Boom 428 "Connection Closed". */
function isConnectionClosed(error: unknown): boolean {
  const boom = error as { output?: { statusCode?: number }; message?: string };
  return boom?.output?.statusCode === 428 || boom?.message === 'Connection Closed';
}

/**
 * Sends stored outbound messages in order, once the session is connected and synced, and paces
 * them: a minimum gap per session and per chat plus random jitter, as people who run these numbers
 * advise against bursts. Only the process that owns a session sends its messages; the others
 * notify it. Each message leaves the outbox through one conditional update, so it is sent once.
 */
@Injectable()
export class OutboxService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(OutboxService.name);
  private readonly drains = new Map<string, Promise<void>>();
  /** Per session, the hand-offs to Baileys in the order the messages left the outbox. */
  private readonly sends = new Map<string, Promise<void>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly nextSessionSendAt = new Map<string, number>();
  private readonly nextChatSendAt = new Map<string, number>();
  /** Per session and per chat, the earliest `performance.now()` of the next hand-off to Baileys. */
  private readonly nextHandOffAt = new Map<string, number>();
  private readonly attempts = new Map<string, number>();
  private subscription?: Subscription;
  private stopped = false;

  constructor(
    private readonly em: EntityManager,
    private readonly repository: MessagesRepository,
    private readonly connections: ConnectionManager,
    private readonly realtime: RealtimeEvents,
    private readonly whatsappEvents: WhatsAppEvents,
    private readonly leases: SessionLeases,
    private readonly bus: ClusterBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly recipients: RecipientResolver,
    @Inject(BAILEYS) private readonly baileys: Baileys,
    private readonly media: MediaService,
  ) {}

  onModuleInit(): void {
    this.subscription = this.whatsappEvents.stream.subscribe((event) => {
      if (event.type === 'session.ready') void this.drain(event.sessionId, event.tenantId);
    });
  }

  onModuleDestroy(): Promise<void> {
    return this.stop();
  }

  /** Stops sending and waits for hand-offs in flight, so none is cut off half-way. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.subscription?.unsubscribe();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([...this.drains.values()]);
    await Promise.all([...this.sends.values()]);
  }

  /** Sends what can go now when this process owns the session; otherwise notifies the owner. */
  async kick(sessionId: string, tenantId: string): Promise<void> {
    if (this.connections.isOwner(sessionId)) {
      await this.drain(sessionId, tenantId);
      return;
    }
    const owner = await this.leases.ownerOf(sessionId);
    if (owner && owner !== this.leases.instanceId) await this.bus.notifyOwner(owner, { sessionId, name: 'outbox', args: { tenantId } });
  }

  private drain(sessionId: string, tenantId: string): Promise<void> {
    const previous = this.drains.get(sessionId) ?? Promise.resolve();
    const next = previous
      // The drain, its retry timers and its sends run in the tenant's scope, whichever request or event started it.
      .then(() => runInTenant(tenantId, () => this.drainPass(sessionId, tenantId)))
      .catch((error: Error) => this.logger.error({ sessionId, err: error }, 'Failed to send from the outbox'));
    this.drains.set(sessionId, next);
    void next.then(() => {
      if (this.drains.get(sessionId) === next) this.drains.delete(sessionId);
    });
    return next;
  }

  private async drainPass(sessionId: string, tenantId: string): Promise<void> {
    this.clearTimer(sessionId);

    while (!this.stopped && this.connections.readySocket(sessionId)) {
      const rows = await this.queued(sessionId, tenantId);
      if (rows.length === 0) return;

      const now = Date.now();
      const sessionWait = (this.nextSessionSendAt.get(sessionId) ?? 0) - now;
      if (sessionWait > 0) return this.retryIn(sessionId, tenantId, sessionWait);

      const eligible = rows.find((row) => (this.nextChatSendAt.get(chatKey(sessionId, row.chat_jid)) ?? 0) <= now);
      if (!eligible) {
        const soonest = Math.min(...rows.map((row) => this.nextChatSendAt.get(chatKey(sessionId, row.chat_jid)) ?? now));
        return this.retryIn(sessionId, tenantId, Math.max(1, soonest - now));
      }

      await this.dispatch(sessionId, tenantId, eligible);
    }
  }

  private async dispatch(sessionId: string, tenantId: string, queued: QueuedRow): Promise<void> {
    const row = queued.recipient_unverified ? await this.verifyRecipient(sessionId, tenantId, queued) : queued;
    if (!row) return;

    if (!row.has_inbound && (await this.reachOutLocked(sessionId, tenantId))) {
      const error = { code: 'REACH_OUT_LOCKED', message: 'WhatsApp restricted this number from messaging people who never wrote first. The message was not sent.' };
      const failed = await this.repository.advanceOutboundStatus(this.em.fork(), sessionId, { id: row.id }, 'failed', error);
      if (failed) this.publishUpdate(tenantId, failed);
      return;
    }

    const waMessageId = row.wa_message_id ?? this.connections.generateMessageId(sessionId);
    const [claimed] = await this.em.fork().getConnection().execute<MessageRow[]>(
      `update messages set status = 'pending', wa_message_id = ?, updated_at = now()
       where tenant_id = ? and id = ? and status = 'queued' returning ${MESSAGE_COLUMNS}`,
      [waMessageId, tenantParam(tenantId, 'Claiming a queued message'), row.id],
    );
    if (!claimed) return;
    this.reservePace(sessionId, row.chat_jid);
    this.publishUpdate(tenantId, claimed, { waMessageId });

    // The request that queued the message does not wait for WhatsApp: the hand-off runs in the
    // session's send chain, which keeps the order in which messages left the outbox.
    const previous = this.sends.get(sessionId) ?? Promise.resolve();
    const next = previous.then(() => this.send(sessionId, tenantId, row, waMessageId));
    this.sends.set(sessionId, next);
    void next.then(() => {
      if (this.sends.get(sessionId) === next) this.sends.delete(sessionId);
    });
  }

  private async send(sessionId: string, tenantId: string, row: QueuedRow, waMessageId: string): Promise<void> {
    let updated: MessageRow | undefined;
    try {
      const { content, quoted } = await this.buildContent(tenantId, row);
      await this.paceHandOff(sessionId, row.chat_jid);
      const sent = await this.connections.send(sessionId, row.chat_jid, content, waMessageId, quoted);
      // Receipts or the echo of our own message may have moved the status on already; the proto
      // (with a poll's secret, needed to read its votes) is kept either way.
      if (sent?.message) await this.repository.storePayload(this.em.fork(), tenantId, row.id, toPayloadJson(sent.message, this.baileys.BufferJSON.replacer));
      updated = await this.repository.advanceOutboundStatus(this.em.fork(), sessionId, { id: row.id }, 'sent');
      this.attempts.delete(row.id);
      if (row.type === 'reaction') await this.showOwnReaction(sessionId, tenantId, row);
    } catch (error) {
      if (isConnectionClosed(error) && (await this.requeue(sessionId, tenantId, row.id))) return;
      this.logger.warn({ sessionId, messageId: row.id, reason: (error as Error).message }, 'Failed to send a message');
      const failure = { code: 'SEND_FAILED', message: 'The connection to WhatsApp failed while sending. Check that the session is connected and send the message again.' };
      updated = await this.repository.advanceOutboundStatus(this.em.fork(), sessionId, { id: row.id }, 'failed', failure);
    }
    if (updated) this.publishUpdate(tenantId, updated);
  }

  /**
   * Asks WhatsApp about the number of a message queued while the session was away. An unknown
   * number fails the message with `NOT_ON_WHATSAPP`; an account under another form of the number
   * gets the message in its own conversation. Returns the row to send, or undefined.
   */
  private async verifyRecipient(sessionId: string, tenantId: string, row: QueuedRow): Promise<QueuedRow | undefined> {
    const typed = phoneNumberFromJid(row.chat_jid)!;
    let account: Awaited<ReturnType<RecipientResolver['lookup']>>;
    try {
      account = await this.recipients.lookup(tenantId, sessionId, typed);
    } catch (error) {
      this.logger.warn({ sessionId, messageId: row.id, reason: (error as Error).message }, 'Could not ask WhatsApp about a recipient');
      await this.fail(sessionId, tenantId, row.id, { code: 'RECIPIENT_CHECK_FAILED', message: `WhatsApp did not answer whether ${typed} has an account. Send the message again.` });
      return undefined;
    }
    // The socket went away between the checks; the next drain asks again.
    if (account === undefined) return undefined;
    if (account === null) {
      const error = notOnWhatsApp(typed);
      await this.fail(sessionId, tenantId, row.id, { code: error.code, message: error.message });
      return undefined;
    }

    const conversationId = account.jid === row.chat_jid ? row.conversation_id : await this.moveToAccount(sessionId, tenantId, row, account);
    await this.em
      .fork()
      .getConnection()
      .execute('update messages set recipient_unverified = false where tenant_id = ? and id = ?', [tenantParam(tenantId, 'Marking a recipient verified'), row.id]);
    return { ...row, chat_jid: account.jid, conversation_id: conversationId, recipient_unverified: false };
  }

  /** Moves a message to the conversation of the account the number really has; an emptied conversation merges into it. */
  private async moveToAccount(sessionId: string, tenantId: string, row: QueuedRow, account: { jid: string; phoneNumber: string }): Promise<string> {
    const into = await this.em.fork().transactional(async (em) => {
      const contactId = await this.repository.upsertContact(em, tenantId, account.jid, account.phoneNumber, null);
      const conversationId = await this.repository.upsertConversation(em, tenantId, sessionId, contactId, account.jid);
      const execute = (sql: string, params: unknown[]) => em.getConnection().execute(sql, params, 'run', em.getTransactionContext());
      const tenant = tenantParam(tenantId, 'Moving a message to the account of its number');
      await execute('update messages set chat_jid = ?, conversation_id = ? where tenant_id = ? and id = ?', [account.jid, conversationId, tenant, row.id]);
      await execute(
        `update conversations c set last_message_at = greatest(c.last_message_at, o.last_message_at),
                last_message_preview = case when c.last_message_at is null or c.last_message_at <= o.last_message_at then o.last_message_preview else c.last_message_preview end
         from conversations o where c.tenant_id = ? and c.id = ? and o.tenant_id = ? and o.id = ?`,
        [tenant, conversationId, tenant, row.conversation_id],
      );
      await execute('delete from conversations o where o.tenant_id = ? and o.id = ? and not exists (select 1 from messages m where m.conversation_id = o.id)', [tenant, row.conversation_id]);
      return conversationId;
    });

    this.logger.log({ sessionId, messageId: row.id, from: row.conversation_id, into }, 'The number is registered on WhatsApp in another form, so the message moved to that conversation');
    this.realtime.publish(tenantId, 'conversation.merged', { from: row.conversation_id, into });
    return into;
  }

  private async fail(sessionId: string, tenantId: string, messageId: string, error: { code: string; message: string }): Promise<void> {
    const failed = await this.repository.advanceOutboundStatus(this.em.fork(), sessionId, { id: messageId }, 'failed', error);
    if (failed) this.publishUpdate(tenantId, failed);
  }

  /** Builds what Baileys sends for a stored outbound message, with the message it quotes. */
  private async buildContent(tenantId: string, row: QueuedRow): Promise<{ content: AnyMessageContent; quoted?: WAMessage }> {
    const data = row.data ?? {};
    const quoted = row.quoted_message_id ? await this.loadAsWaMessage(tenantId, row.quoted_message_id) : undefined;

    switch (row.type) {
      case 'image':
      case 'video':
      case 'audio':
      case 'document':
      case 'sticker':
        return { quoted, content: await this.mediaContent(tenantId, row.type, data) };
      case 'location':
        return { quoted, content: { location: { degreesLatitude: Number(data.latitude), degreesLongitude: Number(data.longitude), name: (data.name as string) ?? undefined, address: (data.address as string) ?? undefined } } };
      case 'contact': {
        const contacts = (data.contacts as { name: string; vcard: string }[]) ?? [];
        return { quoted, content: { contacts: { displayName: contacts[0]?.name, contacts: contacts.map((contact) => ({ displayName: contact.name, vcard: contact.vcard })) } } };
      }
      case 'poll':
        return { quoted, content: { poll: { name: String(data.name), values: data.options as string[], selectableCount: data.multiple ? 0 : 1 } } };
      case 'reaction': {
        const target = await this.loadAsWaMessage(tenantId, String(data.targetMessageId));
        return { content: { react: { text: String(data.emoji ?? ''), key: target!.key } } };
      }
      default:
        return { quoted, content: { text: row.content } };
    }
  }

  /** Builds Baileys' content for a stored media message; Baileys encrypts and uploads the file. */
  private async mediaContent(tenantId: string, type: string, data: Record<string, unknown>): Promise<AnyMessageContent> {
    const media = data.media as { id: string; mimeType: string; fileName?: string; ptt?: boolean };
    const caption = typeof data.caption === 'string' ? data.caption : undefined;
    const { bytes } = await this.media.read(tenantId, media.id);
    switch (type) {
      case 'image':
        return { image: bytes, caption, mimetype: media.mimeType };
      case 'video':
        return { video: bytes, caption, mimetype: media.mimeType };
      case 'audio':
        return { audio: bytes, ptt: Boolean(media.ptt), mimetype: media.mimeType };
      case 'sticker':
        return { sticker: bytes, mimetype: media.mimeType } as AnyMessageContent;
      default:
        return { document: bytes, fileName: media.fileName ?? 'document', mimetype: media.mimeType, caption };
    }
  }

  /** Rebuilds a stored message as Baileys' `WAMessage`, for quoting or reacting to it. */
  private async loadAsWaMessage(tenantId: string, messageId: string): Promise<WAMessage | undefined> {
    const [row] = await this.em.fork().getConnection().execute<{ wa_message_id: string | null; chat_jid: string; direction: string; content: string | null; payload: unknown }[]>(
      'select wa_message_id, chat_jid, direction, content, payload from messages where tenant_id = ? and id = ?',
      [tenantParam(tenantId, 'Reading a message to quote or react to'), messageId],
    );
    if (!row?.wa_message_id) return undefined;
    const message = row.payload ? JSON.parse(JSON.stringify(row.payload), this.baileys.BufferJSON.reviver) : { conversation: row.content ?? '' };
    return { key: { remoteJid: row.chat_jid, fromMe: row.direction === 'out', id: row.wa_message_id }, message } as WAMessage;
  }

  /** Our reaction shows under its message as soon as it left, like a customer's. */
  private async showOwnReaction(sessionId: string, tenantId: string, row: QueuedRow): Promise<void> {
    const target = await this.loadAsWaMessage(tenantId, String(row.data?.targetMessageId));
    if (!target?.key.id) return;
    const reacted = await this.repository.applyReaction(this.em.fork(), tenantId, sessionId, target.key.id, 'me', String(row.data?.emoji ?? ''));
    if (reacted) this.publishUpdate(tenantId, reacted, { reactions: reacted.reactions });
  }

  /**
   * A send cut by a closing connection goes back to the outbox with its WhatsApp id, up to
   * MAX_ATTEMPTS times, and leaves again after the reconnect; the recipient drops a repeated id.
   */
  private async requeue(sessionId: string, tenantId: string, messageId: string): Promise<boolean> {
    const attempts = (this.attempts.get(messageId) ?? 0) + 1;
    this.attempts.set(messageId, attempts);
    if (attempts >= MAX_ATTEMPTS) {
      this.attempts.delete(messageId);
      return false;
    }

    const [row] = await this.em.fork().getConnection().execute<MessageRow[]>(
      `update messages set status = 'queued', updated_at = now() where tenant_id = ? and id = ? and status = 'pending'
       returning ${MESSAGE_COLUMNS}`,
      [tenantParam(tenantId, 'Returning a message to the outbox'), messageId],
    );
    if (row) this.publishUpdate(tenantId, row);
    this.logger.log({ sessionId, messageId, attempt: attempts }, 'The connection closed during a send; the message went back to the outbox');
    return true;
  }

  /** Gaps are reserved when a message leaves, with jitter on top, so no gap is ever shorter than configured. */
  private reservePace(sessionId: string, chatJid: string): void {
    const { sessionGapMs, chatGapMs, jitterMs } = this.config.outbox;
    const now = Date.now();
    this.nextSessionSendAt.set(sessionId, now + sessionGapMs + Math.random() * jitterMs);
    this.nextChatSendAt.set(chatKey(sessionId, chatJid), now + chatGapMs + Math.random() * jitterMs);
  }

  /**
   * Waits until the session and chat gaps since the last hand-off have passed, then reserves the next
   * ones. A slow hand-off (a device lookup, a media upload) holds up the send chain, so a message can
   * reach Baileys later than it left the outbox, and without this wait the next one would follow it too closely.
   */
  private async paceHandOff(sessionId: string, chatJid: string): Promise<void> {
    const { sessionGapMs, chatGapMs, jitterMs } = this.config.outbox;
    const chat = chatKey(sessionId, chatJid);
    const due = Math.max(this.nextHandOffAt.get(sessionId) ?? 0, this.nextHandOffAt.get(chat) ?? 0);
    // libuv starts timers from the event loop's cached clock, so one can fire slightly before `due`.
    for (let wait = due - performance.now(); wait > 0; wait = due - performance.now()) {
      await new Promise((resolve) => setTimeout(resolve, Math.ceil(wait)));
    }
    const now = performance.now();
    this.nextHandOffAt.set(sessionId, now + sessionGapMs + Math.random() * jitterMs);
    this.nextHandOffAt.set(chat, now + chatGapMs + Math.random() * jitterMs);
  }

  private retryIn(sessionId: string, tenantId: string, delayMs: number): void {
    this.clearTimer(sessionId);
    const timer = setTimeout(() => {
      this.timers.delete(sessionId);
      void this.drain(sessionId, tenantId);
    }, Math.ceil(delayMs));
    this.timers.set(sessionId, timer);
  }

  private clearTimer(sessionId: string): void {
    const timer = this.timers.get(sessionId);
    if (timer) clearTimeout(timer);
    this.timers.delete(sessionId);
  }

  private queued(sessionId: string, tenantId: string): Promise<QueuedRow[]> {
    return this.em.fork().getConnection().execute<QueuedRow[]>(
      `select m.id, m.wa_message_id, m.conversation_id, m.chat_jid, m.content, m.type, m.data, m.quoted_message_id, m.recipient_unverified,
              exists (select 1 from messages i where i.conversation_id = m.conversation_id and i.direction = 'in') as has_inbound
       from messages m
       where m.tenant_id = ? and m.session_id = ? and m.direction = 'out' and m.status = 'queued'
       order by m.created_at, m.id limit ${BATCH_SIZE}`,
      [tenantParam(tenantId, 'Reading the outbox'), sessionId],
    );
  }

  private async reachOutLocked(sessionId: string, tenantId: string): Promise<boolean> {
    const [row] = await this.em.fork().getConnection().execute<{ locked: boolean }[]>(
      'select coalesce(reach_out_locked_until > now(), false) as locked from whatsapp_sessions where tenant_id = ? and id = ?',
      [tenantParam(tenantId, 'Checking a reach-out restriction'), sessionId],
    );
    return Boolean(row?.locked);
  }

  private publishUpdate(tenantId: string, row: MessageRow, extra: Record<string, unknown> = {}): void {
    this.realtime.publish(tenantId, 'message.updated', { sessionId: row.session_id, conversationId: row.conversation_id, id: row.id, status: row.status, error: row.error, ...extra });
  }
}

function chatKey(sessionId: string, chatJid: string): string {
  return `${sessionId}|${chatJid}`;
}
