import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../auth/auth-user';
import { AppError } from '../common/app-error';
import { ConnectionManager, PairingCodeView } from './connection-manager.service';
import { SessionError, SessionStatus, WhatsAppSession } from './whatsapp-session.entity';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A WhatsApp connection as the API shows it. */
export interface SessionView {
  id: string;
  name: string;
  status: SessionStatus;
  phoneNumber: string | null;
  pushName: string | null;
  isDefault: boolean;
  lastError: SessionError | null;
  reconnectAttempts: number;
  nextAttemptAt: string | null;
  /** Connected, but the initial sync never finished, so messages may not arrive. */
  degraded: boolean;
  /** WhatsApp restricted messaging contacts who never wrote first until this time. */
  reachOutLockedUntil: string | null;
  createdAt: string;
}

export interface QrView {
  qr: string;
  qrDataUrl: string;
  expiresAt: string;
}

@Injectable()
export class SessionsService {
  constructor(
    private readonly em: EntityManager,
    private readonly connections: ConnectionManager,
    private readonly audit: AuditService,
  ) {}

  async create(tenantId: string, name: string, isDefault = false): Promise<SessionView> {
    const em = this.em.fork();
    const session = em.create(WhatsAppSession, { tenantId, name, isDefault });
    await em.flush();
    return this.toView(session);
  }

  async list(tenantId: string): Promise<SessionView[]> {
    const sessions = await this.em.fork().find(WhatsAppSession, { tenantId, deletedAt: null }, { orderBy: { createdAt: 'ASC' } });
    return sessions.map((session) => this.toView(session));
  }

  async get(tenantId: string, sessionId: string): Promise<SessionView> {
    return this.toView(await this.findOwned(tenantId, sessionId));
  }

  /** Finds the session if it belongs to the tenant; another tenant's session is reported as not found. */
  async findOwned(tenantId: string, sessionId: string): Promise<WhatsAppSession> {
    const session = UUID_PATTERN.test(sessionId) ? await this.em.fork().findOne(WhatsAppSession, { id: sessionId, tenantId, deletedAt: null }) : null;
    if (!session) throw AppError.notFound('SESSION_NOT_FOUND', `WhatsApp session ${sessionId.slice(0, 64)} was not found in your tenant. List your sessions with GET /api/sessions.`);
    return session;
  }

  async connect(actor: AuthUser, sessionId: string): Promise<SessionView> {
    const session = await this.findOwned(actor.tenantId, sessionId);
    await this.audit.record({ tenantId: actor.tenantId, actor, action: 'session.connect_requested', targetType: 'session', targetId: session.id, details: { name: session.name } });
    await this.connections.connect(session);
    return this.get(actor.tenantId, sessionId);
  }

  /** Returns the QR waiting for a scan, read from the database so every app process can serve it. */
  currentQr(session: WhatsAppSession): QrView | undefined {
    if (session.status !== 'qr' || !session.qr || !session.qrDataUrl || !session.qrExpiresAt) return undefined;
    return { qr: session.qr, qrDataUrl: session.qrDataUrl, expiresAt: session.qrExpiresAt.toISOString() };
  }

  qr(session: WhatsAppSession): QrView {
    const current = this.currentQr(session);
    if (current) return current;

    const status = session.status;
    if (status === 'qr_expired') {
      throw AppError.gone('QR_EXPIRED', `The QR codes of session ${session.id} expired before anyone scanned them. Call POST /api/sessions/${session.id}/connect for a new one.`);
    }
    if (status === 'connecting' || status === 'reconnecting') {
      throw AppError.notFound('QR_NOT_AVAILABLE', `Session ${session.id} is ${status}; its QR code appears in a moment. Listen for session.qr or ask again shortly.`);
    }
    throw AppError.notFound('QR_NOT_AVAILABLE', `Session ${session.id} is not waiting for a scan (status ${status}). Call POST /api/sessions/${session.id}/connect to start linking.`);
  }

  async requestPairingCode(tenantId: string, sessionId: string, phoneNumber: string): Promise<PairingCodeView> {
    const session = await this.findOwned(tenantId, sessionId);
    return this.connections.requestPairingCode(session, phoneNumber);
  }

  async disconnect(actor: AuthUser, sessionId: string): Promise<SessionView> {
    const session = await this.findOwned(actor.tenantId, sessionId);
    await this.connections.logout(session);
    await this.audit.record({
      tenantId: actor.tenantId,
      actor,
      action: 'session.unlinked',
      targetType: 'session',
      targetId: session.id,
      details: { name: session.name, phoneNumber: session.phoneNumber },
    });
    return this.get(actor.tenantId, sessionId);
  }

  /** Logs out when linked, then hides the connection; its conversations stay readable. */
  async remove(actor: AuthUser, sessionId: string): Promise<void> {
    const session = await this.findOwned(actor.tenantId, sessionId);
    await this.connections.logout(session);
    await this.em.fork().nativeUpdate(WhatsAppSession, { id: session.id }, { deletedAt: new Date(), isDefault: false });
    await this.audit.record({
      tenantId: actor.tenantId,
      actor,
      action: 'session.deleted',
      targetType: 'session',
      targetId: session.id,
      details: { name: session.name, phoneNumber: session.phoneNumber },
    });
  }

  /** Finds the tenant's default session for the `/api/whatsapp` calls, and creates it on first use. */
  async findOrCreateDefault(tenantId: string): Promise<WhatsAppSession> {
    const em = this.em.fork();
    const existing = await em.findOne(WhatsAppSession, { tenantId, isDefault: true, deletedAt: null });
    if (existing) return existing;

    await em
      .getConnection()
      .execute(
        `insert into whatsapp_sessions (id, tenant_id, name, is_default) values (gen_random_uuid(), ?, 'WhatsApp', true) on conflict (tenant_id) where is_default and deleted_at is null do nothing`,
        [tenantId],
      );
    return (await em.findOne(WhatsAppSession, { tenantId, isDefault: true, deletedAt: null }))!;
  }

  toView(session: WhatsAppSession): SessionView {
    return {
      id: session.id,
      name: session.name,
      status: session.status,
      phoneNumber: session.phoneNumber,
      pushName: session.pushName,
      isDefault: session.isDefault,
      lastError: session.lastError,
      reconnectAttempts: session.reconnectAttempts,
      nextAttemptAt: session.nextAttemptAt?.toISOString() ?? null,
      degraded: session.degraded,
      reachOutLockedUntil: session.reachOutLockedUntil && session.reachOutLockedUntil > new Date() ? session.reachOutLockedUntil.toISOString() : null,
      createdAt: session.createdAt.toISOString(),
    };
  }
}
