import type { AnyMessageContent, ConnectionState, WABrowserDescription, WAMessage, WASocket } from '@whiskeysockets/baileys';
import { EntityManager } from '@mikro-orm/postgresql';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Logger as PinoLogger } from 'pino';
import * as QRCode from 'qrcode';
import { AuditEntry, AuditService } from '../audit/audit.service';
import { ClusterBus, SessionCommand } from '../cluster/cluster-bus';
import { SessionLeases } from '../cluster/session-leases';
import { AppError } from '../common/app-error';
import { ROOT_LOGGER } from '../common/logger.module';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { parseRecipient, phoneNumberFromJid } from '../messages/phone';
import { RealtimeEvents } from '../realtime/realtime-events';
import { loadTenantSettings } from '../settings/settings.service';
import { AuthCorruptError, AuthStateStore, SessionAuthState } from './auth-state.store';
import { BAILEYS, type Baileys } from './baileys.provider';
import { requestAcceptedPairingCode } from './pairing-code';
import { ACTIVE_STATUSES, backoffDelay, decideOnClose, sessionError, SessionErrorCode } from './session-status';
import { StoredMessageLookup, WhatsAppEvents } from './whatsapp-events';
import { SessionStatus, WhatsAppSession } from './whatsapp-session.entity';
import { downloadMedia, MediaTransport } from './media-transfer';
import { WHATSAPP_TRANSPORT, WhatsAppTransport } from './whatsapp-transport';
import { runInTenant } from '../common/tenant-context';

export interface CachedQr {
  qr: string;
  qrDataUrl: string;
  expiresAt: Date;
}

export interface PairingCodeView {
  code: string;
  expiresAt: string;
}

/** In-memory state of one session that this process owns. */
/** A number registered on WhatsApp, with the JID of its account. */
export interface WhatsAppIdLookup {
  jid: string;
}

/** Names a customer's message for a read receipt; `participant` is the member who wrote in a group. */
export interface InboundKey {
  remoteJid: string;
  id: string;
  participant?: string;
}

interface SessionRuntime {
  sessionId: string;
  tenantId: string;
  status: SessionStatus;
  socket?: WASocket;
  auth?: SessionAuthState;
  qrCount: number;
  attempts: number;
  reconnectTimer?: NodeJS.Timeout;
  watchdogTimer?: NodeJS.Timeout;
  settleTimer?: NodeJS.Timeout;
  /** The socket finished its initial sync (or settled), so the outbox may send. */
  ready: boolean;
  /** Baileys reported `receivedPendingNotifications`: WhatsApp delivered the offline backlog. */
  synced: boolean;
  /** The watchdog restarts a silent socket only once per connection. */
  watchdogFired: boolean;
  /** Bumped for every new socket, so events of an ended socket are ignored. */
  generation: number;
  /** Set while this process closes the socket on purpose (shutdown, logout). */
  closing: boolean;
  pairingCode?: string;
  /** The tenant's setting, read when the session opens. */
  fullHistorySync?: boolean;
}

const FIRST_QR_LIFETIME_MS = 60_000;
const LATER_QR_LIFETIME_MS = 20_000;
const LOGOUT_TIMEOUT_MS = 5_000;
const PAIRING_CODE_LIFETIME_MS = 180_000;
// After `open` Baileys may still migrate sessions; sends wait for the initial sync or this delay.
const SETTLE_DELAY_MS = 1_500;
const RESTORE_STAGGER_MS = 100;
// Time for Baileys to finish the frames it is processing before a socket ends at shutdown.
const IN_FLIGHT_DRAIN_MS = 500;

/**
 * Owns the Baileys sockets of the sessions whose lease this process holds: one live socket per
 * session, opened on `connect` or restored at boot, reopened after a restart request or a lost
 * connection, and closed on shutdown without logging out. Commands for sessions that another
 * process owns travel to it over the cluster bus.
 */
@Injectable()
export class ConnectionManager implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ConnectionManager.name);
  private readonly runtimes = new Map<string, SessionRuntime>();
  private readonly browser: WABrowserDescription;
  private storedMessages?: StoredMessageLookup;
  private takeoverTimer?: NodeJS.Timeout;
  private shuttingDown = false;
  private readonly mediaTransport: MediaTransport;

  constructor(
    private readonly em: EntityManager,
    private readonly store: AuthStateStore,
    private readonly realtime: RealtimeEvents,
    private readonly events: WhatsAppEvents,
    private readonly leases: SessionLeases,
    private readonly bus: ClusterBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(BAILEYS) private readonly baileys: Baileys,
    @Inject(WHATSAPP_TRANSPORT) private readonly transport: WhatsAppTransport,
    @Inject(ROOT_LOGGER) private readonly rootLogger: PinoLogger,
    private readonly audit: AuditService,
  ) {
    this.browser = [config.whatsapp.deviceName, 'Chrome', '124.0.0'];
    this.mediaTransport = new MediaTransport(transport.mediaCaPem);
  }

  /** Registers where Baileys' `getMessage` finds stored messages; the messages module owns them. */
  useStoredMessageLookup(lookup: StoredMessageLookup): void {
    this.storedMessages = lookup;
  }

  /** Starts restoring linked sessions in the background; the HTTP server does not wait for them. */
  async onApplicationBootstrap(): Promise<void> {
    this.leases.start((sessionId) => this.onLeaseLost(sessionId));
    this.bus.handle((command) => this.handleCommand(command));
    await this.resetOrphanedStatuses();

    void this.takeOverFreeSessions();
    this.takeoverTimer = setInterval(() => void this.takeOverFreeSessions(), Math.max(500, Math.floor(this.leases.ttlMs / 2)));
    this.takeoverTimer.unref();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.closeAll();
  }

  /**
   * Closes every socket without logging out, waits for pending credential writes and releases
   * the leases. Safe to call more than once.
   */
  async closeAll(): Promise<void> {
    this.shuttingDown = true;
    if (this.takeoverTimer) clearInterval(this.takeoverTimer);

    // Baileys drops events still in its buffer when a socket ends, after it already sent their
    // receipts. So sockets first stop reading frames (WhatsApp redelivers those without a receipt),
    // finish what they were processing, and only then end.
    const reading = [...this.runtimes.values()].filter((runtime) => runtime.socket);
    for (const runtime of reading) runtime.socket!.ws.removeAllListeners('message');
    if (reading.length > 0) await new Promise((resolve) => setTimeout(resolve, IN_FLIGHT_DRAIN_MS));

    for (const runtime of this.runtimes.values()) {
      runtime.closing = true;
      this.endSocket(runtime);
    }
    await this.store.flushAll();
    this.runtimes.clear();
    // Released leases let another process take the sessions over at once instead of after the TTL.
    await this.leases.releaseAll();
    await this.mediaTransport.close();
  }

  /** Starts a connection; a no-op while the session is already connecting or connected. */
  async connect(session: WhatsAppSession): Promise<void> {
    if (session.linkedMode && session.linkedMode !== this.transport.mode && (await this.store.hasCredentials(session.id))) {
      throw AppError.conflict(
        'SESSION_MODE_MISMATCH',
        `Session ${session.id} was linked in ${session.linkedMode} mode and this server runs in ${this.transport.mode} mode. Disconnect it to link it again here.`,
      );
    }
    await this.route(session, { sessionId: session.id, name: 'connect', args: { tenantId: session.tenantId } });
  }

  /** Logs the device out (when linked), deletes its credentials and marks the session `logged_out`. */
  async logout(session: WhatsAppSession): Promise<void> {
    await this.route(session, { sessionId: session.id, name: 'logout', args: { tenantId: session.tenantId } });
  }

  /** Asks WhatsApp for a pairing code for `phoneNumber`; resolves once WhatsApp accepted the request. */
  async requestPairingCode(session: WhatsAppSession, phoneNumber: string): Promise<PairingCodeView> {
    return (await this.route(session, { sessionId: session.id, name: 'pairing-code', args: { tenantId: session.tenantId, phoneNumber } })) as PairingCodeView;
  }

  /** Returns the open, synced socket of a session this process owns, or undefined. */
  readySocket(sessionId: string): WASocket | undefined {
    const runtime = this.runtimes.get(sessionId);
    return runtime?.status === 'connected' && runtime.ready ? runtime.socket : undefined;
  }

  isOwner(sessionId: string): boolean {
    return this.leases.isHeld(sessionId) && this.runtimes.has(sessionId);
  }

  /** Hands a message to Baileys; resolves once it is written to the server. */
  async send(sessionId: string, jid: string, content: AnyMessageContent, messageId: string, quoted?: WAMessage): Promise<WAMessage | undefined> {
    const socket = this.runtimes.get(sessionId)?.status === 'connected' ? this.runtimes.get(sessionId)?.socket : undefined;
    if (!socket) throw AppError.conflict('SESSION_NOT_CONNECTED', `Session ${sessionId} is not connected.`);
    return socket.sendMessage(jid, content, { messageId, ...(quoted ? { quoted } : {}) });
  }

  /**
   * Asks WhatsApp which of these numbers (E.164) have an account, through the session's socket here
   * or on the process that owns it. Undefined when no process has the session connected right now.
   */
  async lookupOnWhatsApp(sessionId: string, tenantId: string, phoneNumbers: string[]): Promise<WhatsAppIdLookup[] | undefined> {
    if (this.isOwner(sessionId)) return this.lookupLocally(sessionId, phoneNumbers);

    const owner = await this.leases.ownerOf(sessionId);
    if (!owner || owner === this.leases.instanceId) return undefined;
    return (await this.bus.send(owner, { sessionId, name: 'on-whatsapp', args: { tenantId, phoneNumbers } })) as WhatsAppIdLookup[] | undefined;
  }

  private async lookupLocally(sessionId: string, phoneNumbers: string[]): Promise<WhatsAppIdLookup[] | undefined> {
    const socket = this.readySocket(sessionId);
    if (!socket) return undefined;
    const found = (await socket.onWhatsApp(...phoneNumbers)) ?? [];
    return found.filter((entry) => entry.exists).map((entry) => ({ jid: entry.jid }));
  }

  /**
   * Sends read receipts for inbound messages, here or on the owner process. False when no process
   * has the session connected, so the caller can try again later.
   */
  async readMessages(sessionId: string, tenantId: string, keys: InboundKey[]): Promise<boolean> {
    if (this.isOwner(sessionId)) return this.readLocally(sessionId, keys);

    const owner = await this.leases.ownerOf(sessionId);
    if (!owner || owner === this.leases.instanceId) return false;
    return (await this.bus.send(owner, { sessionId, name: 'read', args: { tenantId, keys } })) === true;
  }

  private async readLocally(sessionId: string, keys: InboundKey[]): Promise<boolean> {
    const socket = this.readySocket(sessionId);
    if (!socket) return false;
    await socket.readMessages(keys.map((key) => ({ remoteJid: key.remoteJid, id: key.id, fromMe: false, ...(key.participant ? { participant: key.participant } : {}) })));
    return true;
  }

  /**
   * Shows or clears the typing indicator in a chat, on the process that owns the session. Returns
   * false when the session has no ready socket.
   */
  async sendPresence(sessionId: string, tenantId: string, jid: string, presence: 'composing' | 'paused'): Promise<boolean> {
    if (this.isOwner(sessionId)) return this.presenceLocally(sessionId, jid, presence);

    const owner = await this.leases.ownerOf(sessionId);
    if (!owner || owner === this.leases.instanceId) return false;
    return (await this.bus.send(owner, { sessionId, name: 'presence', args: { tenantId, jid, presence } })) === true;
  }

  private async presenceLocally(sessionId: string, jid: string, presence: 'composing' | 'paused'): Promise<boolean> {
    const socket = this.readySocket(sessionId);
    if (!socket) return false;
    await socket.sendPresenceUpdate(presence, jid);
    return true;
  }

  /** The linked account's own user JIDs, by phone number and by LID, without the device. */
  ownJids(sessionId: string): string[] {
    const user = this.runtimes.get(sessionId)?.socket?.user;
    return [user?.id, user?.lid].filter((jid): jid is string => Boolean(jid)).map((jid) => this.baileys.jidNormalizedUser(jid));
  }

  /**
   * Downloads and decrypts the file of a message this process received, asking the phone once for a
   * re-upload when the link expired (MediaExpiredError when that fails too).
   */
  async downloadMedia(sessionId: string, message: WAMessage): Promise<Buffer> {
    const socket = this.runtimes.get(sessionId)?.socket;
    if (!socket) throw AppError.conflict('SESSION_NOT_CONNECTED', `Session ${sessionId} has no WhatsApp connection in this process to download media with.`);
    return downloadMedia(this.baileys, socket, message, this.mediaTransport);
  }

  generateMessageId(sessionId: string): string {
    return this.baileys.generateMessageIDV2(this.runtimes.get(sessionId)?.socket?.user?.id);
  }

  /** Runs a command here when this process owns (or can take) the session, else on its owner. */
  private async route(session: WhatsAppSession, command: SessionCommand): Promise<unknown> {
    if (this.leases.isHeld(session.id) || (await this.leases.acquire(session.id))) return this.handleCommand(command);

    const owner = await this.leases.ownerOf(session.id);
    if (!owner) {
      if (await this.leases.acquire(session.id)) return this.handleCommand(command);
      throw AppError.conflict('SESSION_BUSY', `Session ${session.id} is changing owner between app processes. Try again in a few seconds.`);
    }
    return this.bus.send(owner, command);
  }

  /** Runs a command in the tenant scope of its session; a command without a valid tenant fails. */
  private handleCommand(command: SessionCommand): Promise<unknown> {
    const tenantId = String(command.args?.tenantId ?? '');
    return runInTenant(tenantId, () => this.runCommand(command, tenantId));
  }

  private async runCommand(command: SessionCommand, tenantId: string): Promise<unknown> {
    switch (command.name) {
      case 'connect':
        return this.connectLocally(command.sessionId, tenantId);
      case 'logout':
        return this.logoutLocally(command.sessionId, tenantId);
      case 'pairing-code':
        return this.pairingCodeLocally(command.sessionId, tenantId, String(command.args?.phoneNumber ?? ''));
      case 'read':
        return this.readLocally(command.sessionId, (command.args?.keys as InboundKey[]) ?? []);
      case 'presence':
        return this.presenceLocally(command.sessionId, String(command.args?.jid ?? ''), command.args?.presence === 'composing' ? 'composing' : 'paused');
      case 'on-whatsapp':
        return this.lookupLocally(command.sessionId, (command.args?.phoneNumbers as string[]) ?? []);
      case 'outbox':
        this.events.emit({ type: 'session.ready', sessionId: command.sessionId, tenantId });
        return undefined;
      default:
        throw AppError.badRequest('UNKNOWN_COMMAND', `Unknown session command ${command.name}.`);
    }
  }

  private async connectLocally(sessionId: string, tenantId: string): Promise<void> {
    const runtime = this.runtimes.get(sessionId);
    if (runtime && ACTIVE_STATUSES.has(runtime.status)) return;
    await this.open(sessionId, tenantId, 'connecting');
  }

  private async logoutLocally(sessionId: string, tenantId: string): Promise<void> {
    const runtime = this.runtimes.get(sessionId);
    if (runtime) {
      runtime.closing = true;
      const socket = runtime.socket;
      if (socket && runtime.status === 'connected') {
        await withTimeout(socket.logout(), LOGOUT_TIMEOUT_MS).catch((error: Error) =>
          this.logger.warn({ sessionId, reason: error.message }, 'WhatsApp did not confirm the logout; removing the credentials anyway'),
        );
      }
      this.endSocket(runtime);
      this.runtimes.delete(sessionId);
    }

    const previous = await this.em.fork().findOne(WhatsAppSession, { id: sessionId });
    await this.store.remove(sessionId);
    await this.persist(sessionId, { status: 'logged_out', autoConnect: false, linkedMode: null, lastError: null, ...CLEARED_RUNTIME_FIELDS });
    // A second logout changes nothing, so it announces nothing.
    if (previous?.status !== 'logged_out') this.publishStatus(tenantId, sessionId, 'logged_out', null, previous?.phoneNumber ?? null);
    await this.leases.release(sessionId);
  }

  private async pairingCodeLocally(sessionId: string, tenantId: string, phoneNumber: string): Promise<PairingCodeView> {
    const digits = parseRecipient(phoneNumber, this.config.phone.defaultCountry, 'phoneNumber').phoneNumber.slice(1);

    let runtime = this.runtimes.get(sessionId);
    if (runtime?.auth?.isLinked() && runtime.status === 'connected') {
      throw AppError.conflict('SESSION_ALREADY_LINKED', `Session ${sessionId} is already linked. Disconnect it first to link another phone.`);
    }
    if (!runtime || runtime.status !== 'qr') {
      await this.connectLocally(sessionId, tenantId);
      runtime = await this.waitForStatus(sessionId, 'qr', 15_000);
    }

    try {
      runtime.pairingCode = await requestAcceptedPairingCode(this.baileys, runtime.socket!, this.browser, digits);
      await this.persist(sessionId, { pairingCode: runtime.pairingCode });
    } catch (error) {
      this.logger.warn({ sessionId, reason: (error as Error).message }, 'WhatsApp rejected the pairing code request');
      throw AppError.unprocessable('PAIRING_CODE_REJECTED', 'WhatsApp did not accept the pairing code request for this number. Check the number and try again, or scan the QR code instead.');
    }
    return { code: runtime.pairingCode, expiresAt: new Date(Date.now() + PAIRING_CODE_LIFETIME_MS).toISOString() };
  }

  private async waitForStatus(sessionId: string, status: SessionStatus, timeoutMs: number): Promise<SessionRuntime> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const runtime = this.runtimes.get(sessionId);
      if (runtime?.status === status && runtime.socket) return runtime;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw AppError.conflict('SESSION_NOT_READY', `Session ${sessionId} did not reach the ${status} state in time. Try again.`);
  }

  /** Restores the linked sessions without a live owner (at boot, and when another process stopped). */
  private async takeOverFreeSessions(): Promise<void> {
    if (this.shuttingDown) return;
    let free: { id: string; tenant_id: string }[];
    try {
      // Restoring spans tenants by design; each session found is then opened in its own tenant's scope.
      free = await this.em.fork().getConnection().execute(
        `select s.id, s.tenant_id from whatsapp_sessions s
         where s.deleted_at is null and s.auto_connect and s.linked_mode = ?
           and not exists (select 1 from session_leases l where l.session_id = s.id and l.expires_at > now())
         order by s.created_at`,
        [this.transport.mode],
      );
    } catch (error) {
      this.logger.error({ reason: (error as Error).message }, 'Failed to look for sessions to restore');
      return;
    }
    const candidates = free.filter((row) => !this.runtimes.has(row.id));
    if (candidates.length === 0) return;

    this.logger.log({ sessions: candidates.length, mode: this.transport.mode, instanceId: this.leases.instanceId }, 'Restoring linked WhatsApp sessions');
    await runWithConcurrency(candidates, this.config.cluster.restoreConcurrency, async (row, index) => {
      if (index > 0) await new Promise((resolve) => setTimeout(resolve, RESTORE_STAGGER_MS));
      if (this.shuttingDown || !(await this.leases.acquire(row.id))) return;
      await this.open(row.id, row.tenant_id, 'connecting').catch((error: Error) =>
        this.logger.error({ sessionId: row.id, reason: error.message }, 'Failed to restore session'),
      );
    });
  }

  /** Sessions left in a live status by a process that is gone and will not be restored become `disconnected`. */
  private async resetOrphanedStatuses(): Promise<void> {
    await this.em.fork().getConnection().execute(
      `update whatsapp_sessions s set status = 'disconnected', qr = null, qr_data_url = null, qr_expires_at = null, updated_at = now()
       where s.deleted_at is null and s.status in ('connecting', 'qr', 'reconnecting', 'connected')
         and not (s.auto_connect and s.linked_mode = ?)
         and not exists (select 1 from session_leases l where l.session_id = s.id and l.expires_at > now())`,
      [this.transport.mode],
    );
  }

  private onLeaseLost(sessionId: string): void {
    const runtime = this.runtimes.get(sessionId);
    if (!runtime) return;
    runtime.closing = true;
    this.endSocket(runtime);
    this.runtimes.delete(sessionId);
  }

  /**
   * Opens a session inside its tenant's scope. The socket created here, its Baileys events, its timers
   * and its retries all run in that scope, so none of them can reach another tenant's rows.
   */
  private open(sessionId: string, tenantId: string, status: SessionStatus): Promise<void> {
    return runInTenant(tenantId, () => this.openInScope(sessionId, tenantId, status));
  }

  private async openInScope(sessionId: string, tenantId: string, status: SessionStatus): Promise<void> {
    if (this.shuttingDown) return;

    const runtime: SessionRuntime = this.runtimes.get(sessionId) ?? {
      sessionId,
      tenantId,
      status: 'disconnected',
      qrCount: 0,
      attempts: 0,
      generation: 0,
      closing: false,
      ready: false,
      synced: false,
      watchdogFired: false,
    };
    this.runtimes.set(sessionId, runtime);
    this.endSocket(runtime);
    runtime.closing = false;
    await this.setStatus(runtime, status);

    try {
      runtime.auth = await this.store.open(sessionId);
    } catch (error) {
      if (!(error instanceof AuthCorruptError)) throw error;
      await this.stop(runtime, 'failed', { code: 'AUTH_CORRUPT', message: `The stored credentials could not be read and were kept aside at ${error.movedTo}. Disconnect the session and link it again.` });
      return;
    }

    runtime.fullHistorySync = (await loadTenantSettings(this.em.fork(), runtime.tenantId)).fullHistorySync;
    this.createSocket(runtime, runtime.auth);
  }

  private createSocket(runtime: SessionRuntime, auth: SessionAuthState): void {
    const { sessionId } = runtime;
    const generation = ++runtime.generation;
    runtime.qrCount = 0;
    runtime.ready = false;
    runtime.synced = false;
    runtime.pairingCode = undefined;

    const logger = this.rootLogger.child({ module: 'baileys', sessionId }, { level: this.config.logging.baileysLevel });
    const socket = this.baileys.makeWASocket({
      auth: { creds: auth.state.creds, keys: this.baileys.makeCacheableSignalKeyStore(auth.state.keys, logger) },
      logger,
      browser: this.browser,
      ...(this.transport.wsUrl ? { waWebSocketUrl: this.transport.wsUrl } : {}),
      ...(this.mediaTransport.uploadAgent ? { fetchAgent: this.mediaTransport.uploadAgent } : {}),
      qrTimeout: this.config.whatsapp.qrTimeoutMs,
      keepAliveIntervalMs: this.config.whatsapp.keepAliveMs,
      markOnlineOnConnect: false,
      syncFullHistory: runtime.fullHistorySync,
      // Set explicitly: leaving it out while syncFullHistory is false turns off every history sync.
      shouldSyncHistoryMessage: ({ syncType }) => runtime.fullHistorySync || syncType !== this.baileys.proto.HistorySync.HistorySyncType.FULL,
      getMessage: async (key) => (await this.storedMessages?.findProto(sessionId, key)) as never,
    });
    runtime.socket = socket;
    keepBufferedEventsOnClose(socket);

    // Baileys rc14 ignores this notification, so the QR on screen stops working. A fresh pairing
    // gives a QR that a phone can scan.
    socket.ws.on('CB:notification,type:companion_reg_refresh', () => void this.onRegistrationRefresh(runtime, generation));

    const handleEvents = async (events: Parameters<Parameters<typeof socket.ev.process>[0]>[0]): Promise<void> => {
      // Messages and credentials are handled even from a socket that is being replaced, so nothing
      // that WhatsApp delivered and Baileys acknowledged is dropped. Only lifecycle events are ignored.
      if (events['creds.update']) await auth.saveCreds();
      if (events['messages.upsert']) {
        const { messages, type } = events['messages.upsert'];
        this.events.emit({ type: 'messages.upsert', sessionId, tenantId: runtime.tenantId, messages, upsertType: type });
      }
      if (events['messages.update']) {
        this.events.emit({ type: 'messages.update', sessionId, tenantId: runtime.tenantId, updates: events['messages.update'] });
      }
      if (events['messaging-history.set']?.messages.length) {
        const history = events['messaging-history.set'];
        this.events.emit({ type: 'history.set', sessionId, tenantId: runtime.tenantId, messages: history.messages, full: history.syncType === this.baileys.proto.HistorySync.HistorySyncType.FULL });
      }

      const update = events['connection.update'];
      if (!update) return;
      if (runtime.generation === generation && !this.shuttingDown) {
        await this.onConnectionUpdate(runtime, generation, update);
      } else if (update.connection === 'close') {
        socket.ev.removeAllListeners(undefined as never);
      }
    };
    // Entered again for each batch rather than trusting the scope the socket was created in.
    socket.ev.process((events) => runInTenant(runtime.tenantId, () => handleEvents(events)));
  }

  private async onConnectionUpdate(runtime: SessionRuntime, generation: number, update: Partial<ConnectionState>): Promise<void> {
    if (update.qr) await this.onQr(runtime, update.qr);

    if (update.connection === 'open') await this.onOpen(runtime);

    if (update.receivedPendingNotifications) {
      // This can arrive before `open`; onOpen then finds the flag set.
      runtime.synced = true;
      runtime.watchdogFired = false;
      await this.persist(runtime.sessionId, { degraded: false });
      await this.markReady(runtime);
    }

    if (update.reachoutTimeLock?.isActive) {
      const until = update.reachoutTimeLock.timeEnforcementEnds ?? new Date(Date.now() + 24 * 3_600_000);
      await this.persist(runtime.sessionId, { reachOutLockedUntil: until });
    }

    if (update.connection === 'close') {
      const error = update.lastDisconnect?.error as { output?: { statusCode?: number }; message?: string } | undefined;
      await this.onClose(runtime, generation, error?.output?.statusCode, error?.message ?? '');
    }
  }

  private async onQr(runtime: SessionRuntime, qr: string): Promise<void> {
    const lifetime = this.config.whatsapp.qrTimeoutMs ?? (runtime.qrCount === 0 ? FIRST_QR_LIFETIME_MS : LATER_QR_LIFETIME_MS);
    runtime.qrCount += 1;
    const qrDataUrl = await QRCode.toDataURL(qr, { margin: 1, width: 320 });
    const expiresAt = new Date(Date.now() + lifetime);

    await this.persist(runtime.sessionId, { qr, qrDataUrl, qrExpiresAt: expiresAt });
    await this.setStatus(runtime, 'qr');
    this.realtime.publish(runtime.tenantId, 'session.qr', { sessionId: runtime.sessionId, qr, qrDataUrl, expiresAt: expiresAt.toISOString() }, 'admins');
    if (this.config.whatsapp.printQrInTerminal) await this.printQr(runtime.sessionId, qr);
  }

  private async onOpen(runtime: SessionRuntime): Promise<void> {
    const me = runtime.socket?.user ?? runtime.auth?.state.creds.me;
    runtime.attempts = 0;
    runtime.pairingCode = undefined;

    const phoneNumber = phoneNumberFromJid(me?.id ? this.baileys.jidNormalizedUser(me.id) : null);
    const pushName = me?.name ?? runtime.auth?.state.creds.me?.name ?? null;
    // linkedMode is cleared at every logout, so an empty one means a phone has just been linked.
    const firstOpen = (await this.em.fork().findOne(WhatsAppSession, { id: runtime.sessionId }))?.linkedMode == null;
    await this.persist(runtime.sessionId, {
      phoneNumber,
      deviceJid: me?.id ?? null,
      pushName: pushName === '~' ? null : pushName,
      linkedMode: this.transport.mode,
      autoConnect: true,
      ...CLEARED_RUNTIME_FIELDS,
    });
    await this.setStatus(runtime, 'connected', null, phoneNumber);
    this.logger.log({ sessionId: runtime.sessionId, tenantId: runtime.tenantId }, 'WhatsApp session connected');
    if (firstOpen) await this.recordAudit({ tenantId: runtime.tenantId, actor: null, action: 'session.linked', targetType: 'session', targetId: runtime.sessionId, details: { phoneNumber } });

    if (runtime.synced) {
      await this.markReady(runtime);
      return;
    }
    runtime.settleTimer = setTimeout(() => void this.markReady(runtime), SETTLE_DELAY_MS);
    runtime.watchdogTimer = setTimeout(() => void this.onSyncWatchdog(runtime, runtime.generation), this.config.whatsapp.syncWatchdogMs);
  }

  /** Marks the socket ready once the initial sync finished (or the settle delay passed), so the outbox may send. */
  private async markReady(runtime: SessionRuntime): Promise<void> {
    if (runtime.status !== 'connected' || !runtime.socket) return;
    const firstTime = !runtime.ready;
    runtime.ready = true;
    if (runtime.settleTimer) clearTimeout(runtime.settleTimer);
    runtime.settleTimer = undefined;
    if (firstTime) this.events.emit({ type: 'session.ready', sessionId: runtime.sessionId, tenantId: runtime.tenantId });
  }

  /**
   * Marks a session degraded when it is open but never finished its initial sync (so it receives
   * nothing), logs it, and restarts its socket once.
   */
  private async onSyncWatchdog(runtime: SessionRuntime, generation: number): Promise<void> {
    runtime.watchdogTimer = undefined;
    if (runtime.generation !== generation || runtime.status !== 'connected' || runtime.synced) return;

    await this.persist(runtime.sessionId, { degraded: true, lastError: sessionError({ code: 'SYNC_STALLED', message: 'Connected, but WhatsApp never finished the initial sync, so messages may not arrive.' }) });
    this.logger.warn({ sessionId: runtime.sessionId, waitedMs: this.config.whatsapp.syncWatchdogMs, restart: !runtime.watchdogFired }, 'Connected session never finished its initial sync');
    if (runtime.watchdogFired) return;

    runtime.watchdogFired = true;
    await this.open(runtime.sessionId, runtime.tenantId, 'reconnecting');
  }

  private async onRegistrationRefresh(runtime: SessionRuntime, generation: number): Promise<void> {
    if (runtime.generation !== generation || runtime.auth?.isLinked()) return;
    this.logger.warn({ sessionId: runtime.sessionId }, 'WhatsApp refreshed the pairing registration; starting a new pairing so the QR code on screen works');

    // The unlinked credentials carry the retired secret; new ones give a QR that a phone can scan.
    this.endSocket(runtime);
    await this.store.remove(runtime.sessionId);
    await this.persist(runtime.sessionId, CLEARED_RUNTIME_FIELDS);
    await this.open(runtime.sessionId, runtime.tenantId, 'connecting');
  }

  private async onClose(runtime: SessionRuntime, generation: number, statusCode: number | undefined, message: string): Promise<void> {
    if (runtime.generation !== generation) return;
    this.endSocket(runtime);
    if (runtime.closing || this.shuttingDown) return;

    const linked = runtime.auth?.isLinked() ?? false;
    const decision = decideOnClose(statusCode, message, linked);
    this.logger.log({ sessionId: runtime.sessionId, statusCode, reason: message, action: decision.action }, 'WhatsApp connection closed');

    if (decision.action === 'restart') {
      // The phone just linked the device: reconnect at once, once the new credentials are on disk.
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
    const nextAttemptAt = new Date(Date.now() + delay);
    await this.persist(runtime.sessionId, { lastError: sessionError(error), reconnectAttempts: runtime.attempts, nextAttemptAt, qr: null, qrDataUrl: null, qrExpiresAt: null });
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
    this.endSocket(runtime);
    // A stopped session waits for a person: it is not reopened at the next boot.
    await this.persist(runtime.sessionId, {
      autoConnect: false,
      lastError: sessionError(error),
      ...CLEARED_RUNTIME_FIELDS,
      ...(status === 'logged_out' ? { linkedMode: null } : {}),
    });
    await this.setStatus(runtime, status, error.code);
    this.logger.warn({ sessionId: runtime.sessionId, status, code: error.code }, 'WhatsApp session stopped');
    if (status === 'logged_out') {
      await this.recordAudit({ tenantId: runtime.tenantId, actor: null, action: 'session.unlinked', targetType: 'session', targetId: runtime.sessionId, details: { reason: error.code } });
    }
    this.runtimes.delete(runtime.sessionId);
    await this.leases.release(runtime.sessionId);
  }

  private endSocket(runtime: SessionRuntime): void {
    for (const timer of [runtime.reconnectTimer, runtime.watchdogTimer, runtime.settleTimer]) if (timer) clearTimeout(timer);
    runtime.reconnectTimer = runtime.watchdogTimer = runtime.settleTimer = undefined;
    runtime.ready = false;

    const socket = runtime.socket;
    if (!socket) return;
    runtime.socket = undefined;
    runtime.generation += 1;
    // Listeners stay until the socket reports its close, so events Baileys still flushes are stored.
    socket.ws.removeAllListeners('CB:notification,type:companion_reg_refresh');
    try {
      socket.end(undefined);
    } catch (error) {
      this.logger.debug({ sessionId: runtime.sessionId, reason: (error as Error).message }, 'Socket was already closed');
    }
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

  /** Records a change that WhatsApp caused; a failed write is logged, because the connection must go on. */
  private async recordAudit(entry: AuditEntry): Promise<void> {
    await this.audit.record(entry).catch((error: Error) =>
      this.logger.error({ sessionId: entry.targetId, action: entry.action, reason: error.message }, 'Failed to record an audit event'),
    );
  }

  private async persist(sessionId: string, fields: Partial<WhatsAppSession>): Promise<void> {
    await this.em.fork().nativeUpdate(WhatsAppSession, { id: sessionId }, { ...fields, updatedAt: new Date() });
  }

  private async printQr(sessionId: string, qr: string): Promise<void> {
    const drawing = await QRCode.toString(qr, { type: 'terminal', small: true });
    process.stdout.write(`\nScan this QR code with WhatsApp (Settings > Linked devices > Link a device) to link session ${sessionId}:\n${drawing}\n`);
  }
}

/**
 * Baileys rc14 discards its event buffer when a socket closes (`ev.destroy`), although it already
 * sent the receipts of the messages in it, so WhatsApp never delivers them again. Flushing the
 * buffer first hands those messages to our listeners before the buffer is cleared.
 * NOTE: a message whose connection dies after Baileys decrypted it and before its receipt went out
 * is still lost: Baileys rejects the redelivery ("Key used already") without emitting it.
 */
function keepBufferedEventsOnClose(socket: WASocket): void {
  const ev = socket.ev as WASocket['ev'] & { destroy?: () => void };
  const destroy = ev.destroy?.bind(ev);
  if (!destroy) return;
  ev.destroy = () => {
    ev.flush();
    destroy();
  };
}

const CLEARED_RUNTIME_FIELDS: Partial<WhatsAppSession> = { qr: null, qrDataUrl: null, qrExpiresAt: null, pairingCode: null, reconnectAttempts: 0, nextAttemptAt: null };

async function runWithConcurrency<T>(items: T[], limit: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      await task(items[index], index);
    }
  });
  await Promise.all(workers);
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
