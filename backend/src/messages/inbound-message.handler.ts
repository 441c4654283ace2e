import type { WAMessage, WAMessageUpdate } from '@whiskeysockets/baileys';
import { createHash } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Subscription } from 'rxjs';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { RealtimeEvents } from '../realtime/realtime-events';
import { loadTenantSettings } from '../settings/settings.service';
import { BAILEYS, type Baileys } from '../whatsapp-sessions/baileys.provider';
import { ConnectionManager } from '../whatsapp-sessions/connection-manager.service';
import { WhatsAppEvent, WhatsAppEvents } from '../whatsapp-sessions/whatsapp-events';
import type { MessageSource, MessageStatus } from './message.entity';
import { ConversationRow, MessageRow, previewOf, toConversationView, toMessageView, toPayloadJson } from './message.views';
import { classifyJid, ExtractedContent, extractContent } from './message-content';
import { ChatIdentity, IdentityService } from './identity.service';
import { InboundMediaDownloader, pendingMedia } from './inbound-media';
import { runInTenant, tenantParam } from '../common/tenant-context';
import { MessagesRepository } from './messages.repository';

/** Baileys `proto.WebMessageInfo.Status` values mapped to Charla's outbound statuses. */
const BAILEYS_STATUS: Record<number, MessageStatus | undefined> = { 0: 'failed', 1: 'pending', 2: 'sent', 3: 'delivered', 4: 'read', 5: 'played' };

const HISTORY_BATCH_SIZE = 200;
/** Baileys' `WebMessageInfo.StubType.CIPHERTEXT`: a message it could not decrypt. */
const UNDECRYPTABLE_STUB = 2;

/** The tenant setting that decides whether each kind of shared chat is stored. */
const POLICY_SETTING = { group: 'groups', status: 'statuses', newsletter: 'channels' } as const;

/** Server error codes in a message ack that mean the account may not reach out to new contacts. */
const RESTRICTION_CODES = new Set(['463', '475']);

/**
 * Stores what the sockets receive. Events of one session are handled in order, one batch at a time,
 * and one odd message never aborts the rest of its batch.
 */
@Injectable()
export class InboundMessageHandler implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(InboundMessageHandler.name);
  private readonly queues = new Map<string, Promise<void>>();
  private subscription?: Subscription;

  constructor(
    private readonly em: EntityManager,
    private readonly repository: MessagesRepository,
    private readonly realtime: RealtimeEvents,
    private readonly whatsappEvents: WhatsAppEvents,
    private readonly identity: IdentityService,
    private readonly connections: ConnectionManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(BAILEYS) private readonly baileys: Baileys,
    private readonly mediaDownloads: InboundMediaDownloader,
  ) {}

  onModuleInit(): void {
    this.subscription = this.whatsappEvents.stream.subscribe((event) => this.enqueue(event));
  }

  /** Stores what is still queued, then stops listening. */
  async onModuleDestroy(): Promise<void> {
    await this.idle();
    this.subscription?.unsubscribe();
  }

  /** Resolves when every event received so far is stored. */
  async idle(): Promise<void> {
    await Promise.all([...this.queues.values()]);
    await this.mediaDownloads.idle();
  }

  private enqueue(event: WhatsAppEvent): void {
    const previous = this.queues.get(event.sessionId) ?? Promise.resolve();
    const next = previous.then(() => runInTenant(event.tenantId, () => this.handle(event))).catch((error: Error) =>
      this.logger.error({ sessionId: event.sessionId, event: event.type, err: error }, 'Failed to store WhatsApp events'),
    );
    this.queues.set(event.sessionId, next);
    void next.then(() => {
      if (this.queues.get(event.sessionId) === next) this.queues.delete(event.sessionId);
    });
  }

  private async handle(event: WhatsAppEvent): Promise<void> {
    if (event.type === 'session.ready') return;

    if (event.type === 'history.set') {
      // A full sync is stored only for tenants that asked for one; recent chats always are.
      if (event.full && !(await loadTenantSettings(this.em, event.tenantId)).fullHistorySync) return;
      await this.storeHistory(event.tenantId, event.sessionId, event.messages);
      return;
    }

    if (event.type === 'messages.update') {
      for (const update of event.updates) await this.guard(event, update.key.id, () => this.applyUpdate(event.tenantId, event.sessionId, update));
      return;
    }

    // WhatsApp replays what arrived while the device was away as `append`; it is stored like live traffic.
    const source: MessageSource = event.upsertType === 'append' ? 'backlog' : 'live';
    for (const message of event.messages) {
      await this.guard(event, message.key.id, () =>
        message.key.fromMe ? this.storeOwnMessage(event.tenantId, event.sessionId, message) : this.storeInbound(event.tenantId, event.sessionId, message, source),
      );
    }
  }

  private async guard(event: WhatsAppEvent, waMessageId: string | null | undefined, task: () => Promise<void>): Promise<void> {
    try {
      await task();
    } catch (error) {
      this.logger.error({ sessionId: event.sessionId, waMessageId, err: error }, 'Failed to store one WhatsApp message; continuing with the rest of the batch');
    }
  }

  private async storeInbound(tenantId: string, sessionId: string, message: WAMessage, source: MessageSource): Promise<void> {
    const kind = classifyJid(message.key.remoteJid);
    if (kind === 'group' || kind === 'status' || kind === 'newsletter') {
      if (await this.policyAllows(tenantId, kind)) await this.storeSharedChatMessage(tenantId, sessionId, message, source);
      return;
    }

    const chat = await this.chatOf(tenantId, message);
    const extracted = extractOrPlaceholder(message);
    if (!chat || !extracted || !message.key.id) return;
    if (await this.applyToEarlierMessage(tenantId, sessionId, extracted, chat.jid, message)) return;

    await this.storeAndAnnounce(tenantId, sessionId, message, extracted, chat.jid, null, source, async (em) => {
      const contactId = await this.repository.upsertContact(em, tenantId, chat.jid, chat.phoneNumber, message.pushName ?? null, chat.lid);
      return this.repository.upsertConversation(em, tenantId, sessionId, contactId, chat.jid);
    });
  }

  /**
   * Stores a message of a group, a status broadcast or a channel. The conversation is the shared
   * chat, and each message names the member who wrote it.
   */
  private async storeSharedChatMessage(tenantId: string, sessionId: string, message: WAMessage, source: MessageSource): Promise<void> {
    const chatJid = message.key.remoteJid!;
    const extracted = extractOrPlaceholder(message);
    if (!extracted || !message.key.id) return;

    const key = message.key as { participant?: string | null; participantAlt?: string | null };
    const members = [key.participant, key.participantAlt].filter(Boolean) as string[];
    const member = members.find((jid) => this.baileys.isPnUser(jid)) ?? members[0];
    const senderJid = member ? this.baileys.jidNormalizedUser(member) : null;
    if (await this.applyToEarlierMessage(tenantId, sessionId, extracted, senderJid ?? chatJid, message)) return;

    const conversation = await this.storeAndAnnounce(tenantId, sessionId, message, extracted, chatJid, senderJid, source, (em) =>
      this.repository.upsertGroupConversation(em, tenantId, sessionId, chatJid, null),
    );
    if (conversation && classifyJid(chatJid) === 'group' && !conversation.group_name) void this.fetchGroupName(tenantId, sessionId, conversation.id, chatJid);
  }

  /**
   * Inserts an inbound message into the conversation that `conversationOf` finds or creates, and
   * announces it. Returns the updated conversation, or undefined when the message was already stored.
   */
  private async storeAndAnnounce(
    tenantId: string,
    sessionId: string,
    message: WAMessage,
    extracted: ExtractedContent,
    chatJid: string,
    senderJid: string | null,
    source: MessageSource,
    conversationOf: (em: EntityManager) => Promise<string>,
  ): Promise<ConversationRow | undefined> {
    const timestamp = toDate(message.messageTimestamp);
    // The file is downloaded after the row is stored; until then `data.media` says it is pending.
    const media = pendingMedia(message.message);
    const data = media ? { ...extracted.data, media } : extracted.data;
    const result = await this.em.fork().transactional(async (em) => {
      const conversationId = await conversationOf(em);
      const row = await this.repository.insertMessage(em, {
        tenantId,
        sessionId,
        conversationId,
        chatJid,
        waMessageId: message.key.id!,
        direction: 'in',
        type: extracted.type,
        content: stripNul(extracted.content),
        status: 'received',
        senderName: message.pushName ?? null,
        senderJid,
        timestamp,
        payloadJson: message.message ? toPayloadJson(message.message, this.baileys.BufferJSON.replacer) : undefined,
        data,
        quotedWaMessageId: extracted.quotedWaMessageId,
        source,
      });
      if (!row) return undefined;

      const conversation = await this.repository.touchConversation(em, tenantId, conversationId, timestamp, previewOf(row.content, row.type), true);
      return { row, conversation };
    });
    if (!result) return undefined;

    this.realtime.publish(tenantId, 'message.created', { sessionId, conversationId: result.row.conversation_id, message: toMessageView(result.row) });
    this.realtime.publish(tenantId, 'conversation.updated', { conversation: toConversationView(result.conversation) });
    if (media) this.mediaDownloads.start(tenantId, sessionId, result.row, message);
    return result.conversation;
  }

  /** Asks WhatsApp for a group's subject once, so the panel can name the conversation. */
  private async fetchGroupName(tenantId: string, sessionId: string, conversationId: string, groupJid: string): Promise<void> {
    const socket = this.connections.readySocket(sessionId);
    if (!socket) return;
    try {
      const metadata = await Promise.race([
        socket.groupMetadata(groupJid),
        new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error('timed out after 5000 ms')), 5000).unref()),
      ]);
      if (!metadata.subject) return;
      await this.em.fork().getConnection().execute('update conversations set group_name = ?, updated_at = now() where tenant_id = ? and id = ?', [
        metadata.subject,
        tenantParam(tenantId, 'Naming a group conversation'),
        conversationId,
      ]);
      const conversation = await this.repository.findConversation(this.em.fork(), conversationId, tenantId);
      if (conversation) this.realtime.publish(tenantId, 'conversation.updated', { conversation: toConversationView(conversation) });
    } catch (error) {
      this.logger.debug({ sessionId, groupJid, reason: (error as Error).message }, 'Could not read the group name');
    }
  }

  /** Reads the tenant's policy for groups, status broadcasts and channels; a primary-key read, so a change applies at once. */
  private async policyAllows(tenantId: string, kind: 'group' | 'status' | 'newsletter'): Promise<boolean> {
    const settings = await loadTenantSettings(this.em, tenantId);
    const setting = POLICY_SETTING[kind];
    return settings[setting] === 'store';
  }

  /**
   * Stores a history sync in batches, without an event per message or per conversation: a phone
   * can push thousands of messages across hundreds of chats, so the panel gets one `history.synced`
   * summary and reloads its lists. Messages older than the configured window are skipped, and the
   * same message synced twice (or also seen live) is stored once.
   */
  private async storeHistory(tenantId: string, sessionId: string, messages: WAMessage[]): Promise<void> {
    const oldest = Date.now() - this.config.whatsapp.historySyncDays * 86_400_000;
    const touched = new Set<string>();
    let stored = 0;

    for (let start = 0; start < messages.length; start += HISTORY_BATCH_SIZE) {
      const batch = messages.slice(start, start + HISTORY_BATCH_SIZE).filter((message) => toDate(message.messageTimestamp).getTime() >= oldest);
      await this.em.fork().transactional(async (em) => {
        for (const message of batch) {
          const row = await this.storeHistoryMessage(em, tenantId, sessionId, message).catch((error: Error) => {
            this.logger.warn({ sessionId, waMessageId: message.key.id, reason: error.message }, 'Skipped one history message');
            return undefined;
          });
          if (!row) continue;
          stored += 1;
          touched.add(row.conversation_id);
        }
      });
    }

    if (stored > 0) this.realtime.publish(tenantId, 'history.synced', { sessionId, conversations: touched.size, messages: stored });
    this.logger.log({ sessionId, received: messages.length, stored, conversations: touched.size }, 'Stored a history sync');
  }

  private async storeHistoryMessage(em: EntityManager, tenantId: string, sessionId: string, message: WAMessage): Promise<MessageRow | undefined> {
    const extracted = message.message ? extractContent(message.message) : undefined;
    if (!extracted || ['reaction', 'edit', 'delete', 'pollVote'].includes(extracted.type) || !message.key.id) return undefined;
    const chat = await this.chatOf(tenantId, message);
    if (!chat) return undefined;

    const fromMe = Boolean(message.key.fromMe);
    const timestamp = toDate(message.messageTimestamp);
    const contactId = await this.repository.upsertContact(em, tenantId, chat.jid, chat.phoneNumber, fromMe ? null : (message.pushName ?? null), chat.lid);
    const conversationId = await this.repository.upsertConversation(em, tenantId, sessionId, contactId, chat.jid);
    const row = await this.repository.insertMessage(em, {
      tenantId,
      sessionId,
      conversationId,
      chatJid: chat.jid,
      waMessageId: message.key.id,
      direction: fromMe ? 'out' : 'in',
      type: extracted.type,
      content: stripNul(extracted.content),
      status: fromMe ? (BAILEYS_STATUS[message.status ?? 2] ?? 'sent') : 'received',
      senderName: fromMe ? null : (message.pushName ?? null),
      timestamp,
      data: extracted.data,
      quotedWaMessageId: extracted.quotedWaMessageId,
      source: 'history',
    });
    if (row) await this.repository.touchConversation(em, tenantId, conversationId, timestamp, previewOf(row.content, row.type), false);
    return row;
  }

  /**
   * Reactions, edits and deletes change the message they point at instead of adding a bubble.
   * Returns true when the message was one of those (even when its target is not stored).
   */
  private async applyToEarlierMessage(tenantId: string, sessionId: string, extracted: ExtractedContent, by: string, message: WAMessage): Promise<boolean> {
    const target = extracted.data?.targetWaMessageId as string | null | undefined;
    if (!['reaction', 'edit', 'delete', 'pollVote'].includes(extracted.type)) return false;
    if (!target) {
      this.logger.debug({ sessionId, type: extracted.type }, 'Ignored a message that acts on another message without naming it');
      return true;
    }

    const em = this.em.fork();
    let row: MessageRow | undefined;
    if (extracted.type === 'pollVote') row = await this.applyPollVote(em, tenantId, sessionId, target, extracted, by, message);
    if (extracted.type === 'reaction') row = await this.repository.applyReaction(em, tenantId, sessionId, target, by, String(extracted.data?.emoji ?? ''));
    if (extracted.type === 'edit' && extracted.content !== null) row = await this.repository.applyEdit(em, tenantId, sessionId, target, stripNul(extracted.content)!);
    if (extracted.type === 'delete') row = await this.repository.applyDelete(em, tenantId, sessionId, target);

    if (!row) {
      this.logger.debug({ sessionId, type: extracted.type, target }, 'The message this one acts on is not stored');
      return true;
    }
    const view = toMessageView(row);
    this.realtime.publish(tenantId, 'message.updated', {
      sessionId,
      conversationId: row.conversation_id,
      id: row.id,
      ...(extracted.type === 'reaction' ? { reactions: view.reactions } : {}),
      ...(extracted.type === 'edit' ? { content: view.content, editedAt: view.editedAt } : {}),
      ...(extracted.type === 'delete' ? { deletedAt: view.deletedAt } : {}),
      ...(extracted.type === 'pollVote' ? { data: view.data } : {}),
    });
    return true;
  }

  /**
   * Decrypts a poll vote with the poll's secret and records the voter's choice. The vote is bound
   * to the poll's creator and the voter as the chat addresses them, by phone number or by LID, so
   * each pairing of those forms is tried; a wrong pairing fails GCM authentication.
   */
  private async applyPollVote(
    em: EntityManager,
    tenantId: string,
    sessionId: string,
    pollId: string,
    extracted: ExtractedContent,
    by: string,
    message: WAMessage,
  ): Promise<MessageRow | undefined> {
    const [poll] = await em.getConnection().execute<{ direction: string; chat_jid: string; sender_jid: string | null; data: { options?: string[] } | null; payload: unknown }[]>(
      "select direction, chat_jid, sender_jid, data, payload from messages where tenant_id = ? and session_id = ? and wa_message_id = ? and type = 'poll'",
      [tenantParam(tenantId, 'Reading a poll for its vote'), sessionId, pollId],
    );
    const payload = poll?.payload ? JSON.parse(JSON.stringify(poll.payload), this.baileys.BufferJSON.reviver) : undefined;
    const secret = bytesOf(payload?.messageContextInfo?.messageSecret);
    const encPayload = extracted.data?.encPayload as string | null;
    const encIv = extracted.data?.encIv as string | null;
    if (!poll || !secret || !encPayload || !encIv) {
      this.logger.debug({ sessionId, pollId }, 'A vote arrived for a poll that is not stored or has no secret');
      return undefined;
    }

    const key = message.key as { remoteJid?: string | null; remoteJidAlt?: string | null; participant?: string | null; participantAlt?: string | null; fromMe?: boolean | null };
    const voters = message.key.fromMe
      ? this.connections.ownJids(sessionId)
      : uniqueUsers([key.participant, key.participantAlt, key.remoteJid, key.remoteJidAlt], this.baileys.jidNormalizedUser);
    const creators =
      poll.direction === 'out'
        ? this.connections.ownJids(sessionId)
        : uniqueUsers([poll.sender_jid, poll.chat_jid, key.remoteJid, key.remoteJidAlt, key.participant, key.participantAlt], this.baileys.jidNormalizedUser);

    const vote = { encPayload: Buffer.from(encPayload, 'base64'), encIv: Buffer.from(encIv, 'base64') };
    for (const pollCreatorJid of creators) {
      for (const voterJid of voters) {
        let selected: Uint8Array[];
        try {
          selected = this.baileys.decryptPollVote(vote, { pollCreatorJid, pollMsgId: pollId, pollEncKey: secret, voterJid }).selectedOptions ?? [];
        } catch {
          continue;
        }
        const options = optionNames(poll.data?.options ?? [], selected);
        return this.repository.applyPollVote(em, tenantId, sessionId, pollId, by, options);
      }
    }
    this.logger.warn({ sessionId, pollId }, 'Could not decrypt a poll vote');
    return undefined;
  }

  /** Our own messages coming back from WhatsApp: they update the outbound row, never add an inbound one. */
  private async storeOwnMessage(tenantId: string, sessionId: string, message: WAMessage): Promise<void> {
    const extracted = message.message ? extractContent(message.message) : undefined;
    if (extracted && (await this.applyToEarlierMessage(tenantId, sessionId, extracted, 'me', message))) return;

    const status = message.status !== undefined && message.status !== null ? BAILEYS_STATUS[message.status] : undefined;
    if (status && status !== 'failed' && message.key.id) await this.advance(tenantId, sessionId, message.key.id, status);
  }

  private async applyUpdate(tenantId: string, sessionId: string, update: WAMessageUpdate): Promise<void> {
    const status = update.update.status !== undefined && update.update.status !== null ? BAILEYS_STATUS[update.update.status] : undefined;
    if (!status || !update.key.id || !update.key.fromMe) return;

    if (status === 'failed') {
      await this.applyServerRejection(tenantId, sessionId, update.key.id, String(update.update.messageStubParameters?.[0] ?? ''));
      return;
    }
    await this.advance(tenantId, sessionId, update.key.id, status);
  }

  /**
   * WhatsApp rejected a send with an error code. 463 (reach-out restricted) and 475 (new-chat cap) mean
   * the account may not start chats for a while: the message fails with REACH_OUT_LOCKED and the
   * session records the lock, so new sends to contacts who never wrote first are refused.
   */
  private async applyServerRejection(tenantId: string, sessionId: string, waMessageId: string, serverCode: string): Promise<void> {
    const restricted = RESTRICTION_CODES.has(serverCode);
    if (restricted) {
      await this.em.fork().getConnection().execute(
        `update whatsapp_sessions set reach_out_locked_until = greatest(coalesce(reach_out_locked_until, now()), now() + interval '24 hours') where tenant_id = ? and id = ?`,
        [tenantParam(tenantId, 'Recording a reach-out restriction'), sessionId],
      );
      this.logger.warn({ sessionId, waMessageId, serverCode }, 'WhatsApp restricted messaging new contacts for this session');
    }

    const error = restricted
      ? { code: 'REACH_OUT_LOCKED', message: `WhatsApp restricted this number from messaging people who never wrote first (server code ${serverCode}). Existing chats still work.` }
      : { code: 'SERVER_REJECTED', message: `WhatsApp rejected the message (server code ${serverCode || 'unknown'}).` };
    const row = await this.repository.advanceOutboundStatus(this.em.fork(), sessionId, { waMessageId }, 'failed', error);
    if (row) this.realtime.publish(tenantId, 'message.updated', { sessionId, conversationId: row.conversation_id, id: row.id, status: row.status, error: row.error });
  }

  private async advance(tenantId: string, sessionId: string, waMessageId: string, status: MessageStatus): Promise<void> {
    const row = await this.repository.advanceOutboundStatus(this.em.fork(), sessionId, { waMessageId }, status);
    if (!row) return;
    this.realtime.publish(tenantId, 'message.updated', { sessionId, conversationId: row.conversation_id, id: row.id, status: row.status });
  }

  /** Resolves the one-to-one chat of a message, by phone number when WhatsApp reveals it. */
  private async chatOf(tenantId: string, message: WAMessage): Promise<ChatIdentity | undefined> {
    const candidates = [message.key.remoteJid, (message.key as { remoteJidAlt?: string }).remoteJidAlt].filter(Boolean) as string[];
    const phoneJid = candidates.find((jid) => this.baileys.isPnUser(jid));
    const lidJid = candidates.find((jid) => this.baileys.isLidUser(jid));
    return this.identity.resolve(
      tenantId,
      phoneJid ? this.baileys.jidNormalizedUser(phoneJid) : undefined,
      lidJid ? this.baileys.jidNormalizedUser(lidJid) : undefined,
    );
  }
}

function toDate(timestamp: WAMessage['messageTimestamp']): Date {
  if (timestamp === null || timestamp === undefined) return new Date();
  const seconds = typeof timestamp === 'number' ? timestamp : Number(timestamp.toString());
  return Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : new Date();
}

/** PostgreSQL text cannot hold NUL characters; they become U+FFFD so the rest of the text is kept. */
function stripNul(text: string | null): string | null {
  return text === null ? null : text.replace(/\u0000/g, '\uFFFD');
}

/** Finds the content of an inbound message, or a placeholder type when it could not be decrypted. */
function extractOrPlaceholder(message: WAMessage): ExtractedContent | undefined {
  if (message.message) return extractContent(message.message);
  return { type: message.messageStubType === UNDECRYPTABLE_STUB ? 'undecryptable' : 'unknown', content: null };
}

/** Bare user JIDs (no device), each once, in the order given. */
function uniqueUsers(jids: (string | null | undefined)[], normalize: (jid: string) => string): string[] {
  return [...new Set(jids.filter((jid): jid is string => Boolean(jid)).map((jid) => normalize(jid)))];
}

/** WhatsApp sends the SHA-256 of each chosen option's name; maps them back to the names. */
function optionNames(options: string[], selected: Uint8Array[]): string[] {
  const byHash = new Map(options.map((name) => [createHash('sha256').update(name).digest('hex'), name]));
  return selected.map((hash) => byHash.get(Buffer.from(hash).toString('hex'))).filter((name): name is string => name !== undefined);
}

/** Stored protos keep bytes either as Baileys' BufferJSON (revived to a Buffer) or as protobuf's base64 text. */
function bytesOf(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value.length ? value : undefined;
  if (typeof value === 'string' && value) return Buffer.from(value, 'base64');
  return undefined;
}
