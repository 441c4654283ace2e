import { createHash, randomBytes } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { HttpStatus, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../auth/auth-user';
import { AppError } from '../common/app-error';
import { runAsPlatform, runInTenant } from '../common/tenant-context';
import { Tenant } from '../tenants/tenant.entity';
import { ApiKey, ApiKeyRole } from './api-key.entity';
import { CreateApiKeyDto } from './dto/create-api-key.dto';

export interface ApiKeyView {
  id: string;
  name: string;
  role: ApiKeyRole;
  /** The first characters of the key, to recognise it; not enough to use it. */
  prefix: string;
  createdBy: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreatedApiKey extends ApiKeyView {
  /** The whole key. It is returned only in this response and cannot be read again. */
  key: string;
}

const KEY_PREFIX = 'chk_';
const KEY_BYTES = 32;
const SHOWN_PREFIX_LENGTH = KEY_PREFIX.length + 8;
// Writing last_used_at on every request would add a write to each call; once a minute is precise enough.
const LAST_USED_RESOLUTION_SECONDS = 60;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const GRANTABLE_ROLES: readonly ApiKeyRole[] = ['admin', 'agent'];

function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function toApiKeyView(key: ApiKey): ApiKeyView {
  return {
    id: key.id,
    name: key.name,
    role: key.role,
    prefix: key.prefix,
    createdBy: key.createdBy,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}

/** API keys of a tenant: created and shown once, stored as SHA-256, revocable, with role admin or agent. */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
  ) {}

  async create(actor: AuthUser, body: CreateApiKeyDto): Promise<CreatedApiKey> {
    assertUserSession(actor);
    if (!GRANTABLE_ROLES.includes(body.role as ApiKeyRole)) {
      throw new AppError(HttpStatus.FORBIDDEN, 'FORBIDDEN', `An API key can have the role admin or agent, not ${body.role}. Choose one of those.`);
    }

    const key = `${KEY_PREFIX}${randomBytes(KEY_BYTES).toString('base64url')}`;
    const em = this.em.fork();
    const apiKey = em.create(ApiKey, {
      tenantId: actor.tenantId,
      name: body.name,
      role: body.role as ApiKeyRole,
      keyHash: hashKey(key),
      prefix: key.slice(0, SHOWN_PREFIX_LENGTH),
      createdBy: actor.id,
    });
    await em.flush();
    await this.audit.record({
      tenantId: actor.tenantId,
      actor,
      action: 'api_key.created',
      targetType: 'api_key',
      targetId: apiKey.id,
      details: { name: apiKey.name, role: apiKey.role, prefix: apiKey.prefix },
    });
    return { ...toApiKeyView(apiKey), key };
  }

  async list(tenantId: string): Promise<ApiKeyView[]> {
    const keys = await this.em.fork().find(ApiKey, { tenantId }, { orderBy: { createdAt: 'DESC', id: 'ASC' } });
    return keys.map(toApiKeyView);
  }

  async get(tenantId: string, id: string): Promise<ApiKeyView> {
    return toApiKeyView(await this.findOwned(this.em.fork(), tenantId, id));
  }

  /** Revokes a key at once; a second revocation changes nothing. */
  async revoke(actor: AuthUser, id: string): Promise<ApiKeyView> {
    assertUserSession(actor);
    const em = this.em.fork();
    const apiKey = await this.findOwned(em, actor.tenantId, id);
    if (apiKey.revokedAt) return toApiKeyView(apiKey);

    apiKey.revokedAt = new Date();
    await em.flush();
    await this.audit.record({
      tenantId: actor.tenantId,
      actor,
      action: 'api_key.revoked',
      targetType: 'api_key',
      targetId: apiKey.id,
      details: { name: apiKey.name, role: apiKey.role, prefix: apiKey.prefix },
    });
    return toApiKeyView(apiKey);
  }

  /** Resolves an `X-Api-Key` header to its tenant and role, or throws 401 INVALID_API_KEY. */
  async authenticate(key: string): Promise<AuthUser> {
    const em = this.em.fork();
    // The key is all the request carries, so its tenant is only known once the key is found.
    const apiKey = key.startsWith(KEY_PREFIX) ? await runAsPlatform('resolve an API key', () => em.findOne(ApiKey, { keyHash: hashKey(key), revokedAt: null })) : null;
    const tenant = apiKey ? await runInTenant(apiKey.tenantId, () => em.findOne(Tenant, { id: apiKey.tenantId, status: 'active' })) : null;
    if (!apiKey || !tenant) {
      throw new AppError(
        HttpStatus.UNAUTHORIZED,
        'INVALID_API_KEY',
        'The API key in X-Api-Key is not valid: it is unknown, revoked, or its business is suspended. Ask a tenant administrator for a new key.',
      );
    }

    await em
      .getConnection()
      .execute(
        `update api_keys set last_used_at = now() where id = ? and tenant_id = ? and (last_used_at is null or last_used_at < now() - make_interval(secs => ?))`,
        [apiKey.id, apiKey.tenantId, LAST_USED_RESOLUTION_SECONDS],
      );
    return { id: apiKey.id, apiKeyId: apiKey.id, tenantId: apiKey.tenantId, email: '', name: apiKey.name, role: apiKey.role };
  }

  private async findOwned(em: EntityManager, tenantId: string, id: string): Promise<ApiKey> {
    const apiKey = UUID.test(id) ? await em.findOne(ApiKey, { id, tenantId }) : null;
    if (!apiKey) throw AppError.notFound('API_KEY_NOT_FOUND', `API key ${id.slice(0, 64)} was not found in your tenant. List the keys with GET /api/api-keys.`);
    return apiKey;
  }
}

/** Keys are managed by people: a leaked key must not be able to mint or revoke others. */
function assertUserSession(actor: AuthUser): void {
  if (actor.apiKeyId) {
    throw new AppError(HttpStatus.FORBIDDEN, 'FORBIDDEN', 'API keys cannot create or revoke API keys. Sign in to the panel as a tenant administrator to manage keys.');
  }
}
