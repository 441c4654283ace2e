import type { WAMessage, WASocket } from '@whiskeysockets/baileys';
import { EntityManager } from '@mikro-orm/postgresql';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Logger as PinoLogger } from 'pino';
import * as QRCode from 'qrcode';
import { AppError } from '../common/app-error';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ROOT_LOGGER } from '../common/logger.module';
import { phoneNumberFromJid } from '../messages/phone';
import { RealtimeEvents } from '../realtime/realtime-events';
import { AuthCorruptError, FileAuthStateStore, SessionAuthState } from './auth-state.store';
import { BAILEYS, type Baileys } from './baileys.provider';
import { ACTIVE_STATUSES, backoffDelay, decideOnClose, sessionError, SessionErrorCode } from './session-status';
import { StoredMessageLookup, WhatsAppEvents } from './whatsapp-events';
import { SessionStatus, WhatsAppSession } from './whatsapp-session.entity';
import { WHATSAPP_TRANSPORT, WhatsAppTransport } from './whatsapp-transport';

export interface CachedQr {
  qr: string;
  qrDataUrl: string;
  expiresAt: Date;
}

/** In-memory state of one session that this process runs. */
interface SessionRuntime {
  sessionId: string;
  tenantId: string;
  status: SessionStatus;
  socket?: WASocket;
  auth?: SessionAuthState;
  qr?: CachedQr;
  qrCount: number;
  attempts: number;
  nextAttemptAt?: Date;
  reconnectTimer?: NodeJS.Timeout;
  /** Bumped for every new socket, so events of an ended socket are ignored. */
  generation: number;
  /** Set while this process closes the socket on purpose (shutdown, logout). */
  closing: boolean;
}

const FIRST_QR_LIFETIME_MS = 60_000;
const LATER_QR_LIFETIME_MS = 20_000;
const LOGOUT_TIMEOUT_MS = 5_000;

/**
 * Owns the Baileys sockets: one live socket per session, opened on `connect` or restored at boot,
 * reopened after a restart request or a lost connection, and closed on shutdown without logging out.
 */
@Injectable()
export class ConnectionManager implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ConnectionManager.name);
  private readonly runtimes = new Map<string, SessionRuntime>();
  private shuttingDown = false;

  constructor(
    private readonly em: EntityManager,
    private readonly store: FileAuthStateStore,
    private readonly realtime: RealtimeEvents,
    private readonly events: WhatsAppEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(BAILEYS) private readonly baileys: Baileys,
    @Inject(WHATSAPP_TRANSPORT) private readonly transport: WhatsAppTransport,
    @Inject(ROOT_LOGGER) private readonly rootLogger: PinoLogger,
  ) {}

  private storedMessages?: StoredMessageLookup;

  /** Registers where Baileys' `getMessage` finds stored messages; the messages module owns them. */
  useStoredMessageLookup(lookup: StoredMessageLookup): void {
    this.storedMessages = lookup;
  }

  /** Reopens the sessions that were linked in this mode; the HTTP server does not wait for them. */
  async onApplicationBootstrap(): Promise<void> {
    const em = this.em.fork();
    const sessions = await em.find(WhatsAppSession, { deletedAt: null });

    const toRestore = sessions.filter((session) => session.autoConnect && session.linkedMode === this.transport.mode);
    const stale = sessions.filter((session) => !toRestore.includes(session) && ACTIVE_STATUSES.has(session.status));
    if (stale.length > 0) await em.nativeUpdate(WhatsAppSession, { id: { $in: stale.map((session) => session.id) } }, { status: 'disconnected' });

    if (toRestore.length > 0) this.logger.log({ sessions: toRestore.length, mode: this.transport.mode }, 'Restoring linked WhatsApp sessions');
    for (const session of toRestore) {
      void this.open(session.id, session.tenantId, 'connecting').catch((error: Error) =>
        this.logger.error({ sessionId: session.id, reason: error.message }, 'Failed to restore session'),
      );
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    const runtimes = [...this.runtimes.values()];
    for (const runtime of runtimes) this.endSocket(runtime);
    await this.store.flushAll();
    this.runtimes.clear();
  }

  /** Starts a connection; a no-op while the session is already connecting or connected. */
  async connect(session: WhatsAppSession): Promise<void> {
    const runtime = this.runtimes.get(session.id);
    if (runtime && ACTIVE_STATUSES.has(runtime.status)) return;

    if (session.linkedMode && session.linkedMode !== this.transport.mode && this.store.hasCredentials(session.id)) {
      throw AppError.conflict(
        'SESSION_MODE_MISMATCH',
        `Session ${session.id} was linked in ${session.linkedMode} mode and this server runs in ${this.transport.mode} mode. Disconnect it to link it again here.`,
      );
    }

    await this.open(session.id, session.tenantId, 'connecting');
  }

  /** Logs the device out (when linked), deletes its credentials and marks the session `logged_out`. */
  async logout(session: WhatsAppSession): Promise<void> {
    const runtime = this.runtimes.get(session.id);
    if (runtime) {
      runtime.closing = true;
      this.clearReconnect(runtime);
      const socket = runtime.socket;
      if (socket && runtime.status === 'connected') {
        await withTimeout(socket.logout(), LOGOUT_TIMEOUT_MS).catch((error: Error) =>
          this.logger.warn({ sessionId: session.id, reason: error.message }, 'WhatsApp did not confirm the logout; removing the credentials anyway'),
        );
      }
      this.endSocket(runtime);
      this.runtimes.delete(session.id);
    }

    await this.store.remove(session.id);
    await this.persist(session.id, { status: 'logged_out', autoConnect: false, linkedMode: null, lastError: null });
    this.publishStatus(session.tenantId, session.id, 'logged_out', null);
  }

  currentQr(sessionId: string): CachedQr | undefined {
    const runtime = this.runtimes.get(sessionId);
    if (!runtime?.qr || runtime.status !== 'qr') return undefined;
    return runtime.qr;
  }

  runtimeInfo(sessionId: string): { status?: SessionStatus; reconnectAttempts: number; nextAttemptAt: Date | null } {
    const runtime = this.runtimes.get(sessionId);
    return { status: runtime?.status, reconnectAttempts: runtime?.attempts ?? 0, nextAttemptAt: runtime?.nextAttemptAt ?? null };
  }

  /** The open socket of a connected session, or undefined. */
  openSocket(sessionId: string): WASocket | undefined {
    const runtime = this.runtimes.get(sessionId);
    return runtime?.status === 'connected' ? runtime.socket : undefined;
  }

  /** Hands a text to Baileys; resolves once it is written to the server. */
  async sendText(sessionId: string, jid: string, text: string, messageId: string): Promise<WAMessage | undefined> {
    const socket = this.openSocket(sessionId);
    if (!socket) throw AppError.conflict('SESSION_NOT_CONNECTED', `Session ${sessionId} is not connected. Connect it and try again.`);
    return socket.sendMessage(jid, { text }, { messageId });
  }

  generateMessageId(sessionId: string): string {
    return this.baileys.generateMessageIDV2(this.openSocket(sessionId)?.user?.id);
  }

  private async open(sessionId: string, tenantId: string, status: SessionStatus): Promise<void> {
    if (this.shuttingDown) return;

    const runtime = this.runtimes.get(sessionId) ?? { sessionId, tenantId, status: 'disconnected', qrCount: 0, attempts: 0, generation: 0, closing: false };
    this.runtimes.set(sessionId, runtime);
    this.endSocket(runtime);
    runtime.closing = false;
    runtime.nextAttemptAt = undefined;
    await this.setStatus(runtime, status);

    try {
      runtime.auth = await this.store.open(sessionId);
    } catch (error) {
      if (!(error instanceof AuthCorruptError)) throw error;
      await this.stop(runtime, 'failed', { code: 'AUTH_CORRUPT', message: `The stored credentials could not be read and were kept aside at ${error.movedTo}. Disconnect the session and link it again.` });
      return;
    }

    this.createSocket(runtime, runtime.auth);
  }

  private createSocket(runtime: SessionRuntime, auth: SessionAuthState): void {
    const { sessionId } = runtime;
    const generation = ++runtime.generation;
    runtime.qrCount = 0;

    const logger = this.rootLogger.child({ module: 'baileys', sessionId }, { level: this.config.logging.baileysLevel });
    const socket = this.baileys.makeWASocket({
      auth: { creds: auth.state.creds, keys: this.baileys.makeCacheableSignalKeyStore(auth.state.keys, logger) },
      logger,
      browser: [this.config.whatsapp.deviceName, 'Chrome', '124.0.0'],
      ...(this.transport.wsUrl ? { waWebSocketUrl: this.transport.wsUrl } : {}),
      qrTimeout: this.config.whatsapp.qrTimeoutMs,
      markOnlineOnConnect: false,
      syncFullHistory: false,
      // Set explicitly: leaving it out while syncFullHistory is false turns off every history sync.
      shouldSyncHistoryMessage: () => true,
      getMessage: async (key) => (await this.storedMessages?.findProto(sessionId, key)) as never,
    });
    runtime.socket = socket;

    socket.ev.process(async (events) => {
      if (runtime.generation !== generation || this.shuttingDown) return;

      if (events['creds.update']) await auth.saveCreds();
      if (events['connection.update']) await this.onConnectionUpdate(runtime, generation, events['connection.update']);
      if (events['messages.upsert']) {
        const { messages, type } = events['messages.upsert'];
        this.events.emit({ type: 'messages.upsert', sessionId, tenantId: runtime.tenantId, messages, upsertType: type });
      }
      if (events['messages.update']) {
        this.events.emit({ type: 'messages.update', sessionId, tenantId: runtime.tenantId, updates: events['messages.update'] });
      }
    });
  }

  private async onConnectionUpdate(runtime: SessionRuntime, generation: number, update: Partial<import('@whiskeysockets/baileys').ConnectionState>): Promise<void> {
    if (update.qr) await this.onQr(runtime, update.qr);

    if (update.connection === 'open') await this.onOpen(runtime);

    if (update.connection === 'close') {
      const error = update.lastDisconnect?.error as { output?: { statusCode?: number }; message?: string } | undefined;
      await this.onClose(runtime, generation, error?.output?.statusCode, error?.message ?? '');
    }
  }

  private async onQr(runtime: SessionRuntime, qr: string): Promise<void> {
    const lifetime = this.config.whatsapp.qrTimeoutMs ?? (runtime.qrCount === 0 ? FIRST_QR_LIFETIME_MS : LATER_QR_LIFETIME_MS);
    runtime.qrCount += 1;
    runtime.qr = { qr, qrDataUrl: await QRCode.toDataURL(qr, { margin: 1, width: 320 }), expiresAt: new Date(Date.now() + lifetime) };

    await this.setStatus(runtime, 'qr');
    this.realtime.publish(
      runtime.tenantId,
      'session.qr',
      { sessionId: runtime.sessionId, qr, qrDataUrl: runtime.qr.qrDataUrl, expiresAt: runtime.qr.expiresAt.toISOString() },
      'admins',
    );
    if (this.config.whatsapp.printQrInTerminal) await this.printQr(runtime.sessionId, qr);
  }

  private async onOpen(runtime: SessionRuntime): Promise<void> {
    const socket = runtime.socket;
    const me = socket?.user ?? runtime.auth?.state.creds.me;
    runtime.attempts = 0;
    runtime.qr = undefined;
    runtime.nextAttemptAt = undefined;

    const phoneNumber = phoneNumberFromJid(me?.id ? this.baileys.jidNormalizedUser(me.id) : null);
    const pushName = me?.name ?? runtime.auth?.state.creds.me?.name ?? null;
    await this.persist(runtime.sessionId, { phoneNumber, pushName, linkedMode: this.transport.mode, autoConnect: true, lastError: null });
    await this.setStatus(runtime, 'connected', null, phoneNumber);
    this.logger.log({ sessionId: runtime.sessionId, tenantId: runtime.tenantId }, 'WhatsApp session connected');
  }

  private async onClose(runtime: SessionRuntime, generation: number, statusCode: number | undefined, message: string): Promise<void> {
    if (runtime.generation !== generation) return;
    this.endSocket(runtime);
    runtime.qr = undefined;
    if (runtime.closing || this.shuttingDown) return;

    const linked = runtime.auth?.isLinked() ?? false;
    const decision = decideOnClose(statusCode, message, linked);
    this.logger.log({ sessionId: runtime.sessionId, statusCode, action: decision.action }, 'WhatsApp connection closed');

    if (decision.action === 'restart') {
      // The phone just linked the device: reconnect at once once the new credentials are on disk.
      await runtime.auth?.flush();
      await this.open(runtime.sessionId, runtime.tenantId, 'connecting');
      return;
    }

    if (decision.action === 'stop') {
      if (decision.deleteCredentials) await this.store.remove(runtime.sessionId);
      await this.stop(runtime, decision.status, decision.error);
      return;
    }

    await this.scheduleReconnect(runtime, decision.error);
  }

  private async scheduleReconnect(runtime: SessionRuntime, error: SessionErrorCode): Promise<void> {
    const { maxAttempts, baseDelayMs, maxDelayMs } = this.config.whatsapp.reconnect;
    runtime.attempts += 1;
    if (runtime.attempts > maxAttempts) {
      await this.stop(runtime, 'failed', { code: 'RECONNECT_LIMIT', message: `Gave up after ${maxAttempts} reconnection attempts. Last error: ${error.message} Connect again to retry.` });
      return;
    }

    const delay = backoffDelay(runtime.attempts, baseDelayMs, maxDelayMs);
    runtime.nextAttemptAt = new Date(Date.now() + delay);
    await this.persist(runtime.sessionId, { lastError: sessionError(error) });
    await this.setStatus(runtime, 'reconnecting', error.code);
    this.logger.warn({ sessionId: runtime.sessionId, attempt: runtime.attempts, delayMs: delay, code: error.code }, 'Reconnecting WhatsApp session');

    runtime.reconnectTimer = setTimeout(() => {
      runtime.reconnectTimer = undefined;
      void this.open(runtime.sessionId, runtime.tenantId, 'reconnecting').catch((failure: Error) =>
        this.logger.error({ sessionId: runtime.sessionId, reason: failure.message }, 'Reconnection attempt failed'),
      );
    }, delay);
  }

  private async stop(runtime: SessionRuntime, status: SessionStatus, error: SessionErrorCode): Promise<void> {
    this.clearReconnect(runtime);
    this.endSocket(runtime);
    runtime.qr = undefined;
    // A stopped session waits for a person: it is not reopened at the next boot.
    await this.persist(runtime.sessionId, { autoConnect: false, lastError: sessionError(error), ...(status === 'logged_out' ? { linkedMode: null } : {}) });
    await this.setStatus(runtime, status, error.code);
    this.logger.warn({ sessionId: runtime.sessionId, status, code: error.code }, 'WhatsApp session stopped');
  }

  private endSocket(runtime: SessionRuntime): void {
    this.clearReconnect(runtime);
    const socket = runtime.socket;
    if (!socket) return;

    runtime.socket = undefined;
    runtime.generation += 1;
    socket.ev.removeAllListeners(undefined as never);
    try {
      socket.end(undefined);
    } catch (error) {
      this.logger.debug({ sessionId: runtime.sessionId, reason: (error as Error).message }, 'Socket was already closed');
    }
  }

  private clearReconnect(runtime: SessionRuntime): void {
    if (runtime.reconnectTimer) clearTimeout(runtime.reconnectTimer);
    runtime.reconnectTimer = undefined;
  }

  /** Stores and announces a status, but only when it really changed. */
  private async setStatus(runtime: SessionRuntime, status: SessionStatus, reason: string | null = null, phoneNumber?: string | null): Promise<void> {
    if (runtime.status === status) return;
    runtime.status = status;

    await this.persist(runtime.sessionId, { status });
    const session = phoneNumber === undefined ? await this.em.fork().findOne(WhatsAppSession, { id: runtime.sessionId }) : undefined;
    this.publishStatus(runtime.tenantId, runtime.sessionId, status, reason, phoneNumber ?? session?.phoneNumber ?? null);
  }

  private publishStatus(tenantId: string, sessionId: string, status: SessionStatus, reason: string | null, phoneNumber: string | null = null): void {
    this.realtime.publish(tenantId, 'session.status', { sessionId, status, phoneNumber, reason });
  }

  private async persist(sessionId: string, fields: Partial<WhatsAppSession>): Promise<void> {
    await this.em.fork().nativeUpdate(WhatsAppSession, { id: sessionId }, { ...fields, updatedAt: new Date() });
  }

  private async printQr(sessionId: string, qr: string): Promise<void> {
    const drawing = await QRCode.toString(qr, { type: 'terminal', small: true });
    process.stdout.write(`\nScan this QR code with WhatsApp (Settings > Linked devices > Link a device) to link session ${sessionId}:\n${drawing}\n`);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
