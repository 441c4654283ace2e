import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { ApiKey } from '../api-keys/api-key.entity';
import type { AuthUser } from '../auth/auth-user';
import { ParsedListQuery } from '../common/list-query';
import { User } from '../users/user.entity';
import { AuditEvent } from './audit-event.entity';

export type AuditAction =
  | 'session.connect_requested'
  | 'session.linked'
  | 'session.unlinked'
  | 'session.deleted'
  | 'user.created'
  | 'user.deactivated'
  | 'user.reactivated'
  | 'user.role_changed'
  | 'user.password_changed'
  | 'api_key.created'
  | 'api_key.revoked';

export type AuditTargetType = 'session' | 'user' | 'api_key';

export interface AuditEntry {
  tenantId: string;
  /** The signed-in user or API key that acted; null when Charla acted on its own. */
  actor: Pick<AuthUser, 'id' | 'apiKeyId' | 'ip'> | null;
  action: AuditAction;
  targetType: AuditTargetType;
  targetId: string | null;
  /** Names and values that help a reader; never a password, token, key or hash. */
  details?: Record<string, unknown>;
}

export interface AuditEventView {
  id: string;
  action: string;
  targetType: string;
  targetId: string | null;
  actorType: 'user' | 'api_key' | 'system';
  actorId: string | null;
  actorName: string | null;
  details: Record<string, unknown>;
  ip: string | null;
  createdAt: string;
}

export interface AuditEventFilter {
  action: string;
  targetType: string;
  targetId: string;
  actorId: string;
}

export const AUDIT_SORT_FIELDS = ['createdAt', 'action'] as const;

/** Writes and lists the tenant's audit log. Every read is scoped to the caller's tenant. */
@Injectable()
export class AuditService {
  constructor(private readonly em: EntityManager) {}

  async record(entry: AuditEntry): Promise<void> {
    const em = this.em.fork();
    em.create(AuditEvent, {
      tenantId: entry.tenantId,
      actorUserId: entry.actor && !entry.actor.apiKeyId ? entry.actor.id : null,
      actorApiKeyId: entry.actor?.apiKeyId ?? null,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId,
      details: entry.details ?? {},
      ip: entry.actor?.ip ?? null,
    });
    await em.flush();
  }

  async list(tenantId: string, query: ParsedListQuery<Partial<AuditEventFilter>>): Promise<{ items: AuditEventView[]; total: number }> {
    const em = this.em.fork();
    const where: Record<string, unknown> = { tenantId };
    if (query.filter.action) where.action = String(query.filter.action);
    if (query.filter.targetType) where.targetType = String(query.filter.targetType);
    if (query.filter.targetId) where.targetId = String(query.filter.targetId);
    if (query.filter.actorId !== undefined) {
      const actorId = String(query.filter.actorId);
      if (!UUID.test(actorId)) return { items: [], total: 0 };
      where.$or = [{ actorUserId: actorId }, { actorApiKeyId: actorId }];
    }

    const [events, total] = await em.findAndCount(AuditEvent, where, {
      orderBy: { [query.sortField]: query.sortOrder, id: 'ASC' },
      limit: query.limit,
      offset: query.offset,
    });
    const names = await this.actorNames(em, tenantId, events);
    return { items: events.map((event) => toView(event, names)), total };
  }

  /** Names of the users and API keys that acted, read from the caller's tenant only. */
  private async actorNames(em: EntityManager, tenantId: string, events: AuditEvent[]): Promise<Map<string, string>> {
    const userIds = [...new Set(events.flatMap((event) => (event.actorUserId ? [event.actorUserId] : [])))];
    const keyIds = [...new Set(events.flatMap((event) => (event.actorApiKeyId ? [event.actorApiKeyId] : [])))];
    const users = userIds.length > 0 ? await em.find(User, { id: { $in: userIds } }) : [];
    const keys = keyIds.length > 0 ? await em.find(ApiKey, { id: { $in: keyIds }, tenantId }) : [];
    // A superadmin who acted on another tenant (such as creating its first admin) is named too.
    return new Map([...users.map((user) => [user.id, user.name || user.email] as const), ...keys.map((key) => [key.id, key.name] as const)]);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function actorTypeOf(event: AuditEvent): AuditEventView['actorType'] {
  if (event.actorUserId) return 'user';
  if (event.actorApiKeyId) return 'api_key';
  return 'system';
}

function toView(event: AuditEvent, names: Map<string, string>): AuditEventView {
  const actorId = event.actorUserId ?? event.actorApiKeyId;
  return {
    id: event.id,
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId,
    actorType: actorTypeOf(event),
    actorId,
    actorName: actorId ? (names.get(actorId) ?? null) : null,
    details: event.details,
    ip: event.ip,
    createdAt: event.createdAt.toISOString(),
  };
}
