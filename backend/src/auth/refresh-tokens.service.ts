import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { runAsPlatform, runInTenant } from '../common/tenant-context';
import { AppError } from '../common/app-error';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { RefreshToken } from './refresh-token.entity';

export interface IssuedRefreshToken {
  token: string;
  expiresAt: Date;
}

export interface ClientInfo {
  ip?: string;
  userAgent?: string;
}

const TOKEN_BYTES = 32;
const USER_AGENT_MAX_LENGTH = 300;

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function refreshError(code: string, message: string): AppError {
  return new AppError(HttpStatus.UNAUTHORIZED, code, message);
}

/**
 * Issues and rotates refresh tokens. A token is 32 random bytes shown to the client once; the
 * database keeps only its SHA-256. Presenting a token that was already replaced revokes its family.
 */
@Injectable()
export class RefreshTokensService {
  private readonly logger = new Logger(RefreshTokensService.name);

  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Starts a new family, one per login. */
  issue(userId: string, tenantId: string, client: ClientInfo): Promise<IssuedRefreshToken> {
    return this.insert(this.em.fork(), { userId, tenantId, familyId: randomUUID(), client });
  }

  /**
   * Replaces a valid token with a new one of the same family and returns the user it belongs to.
   * The old row is revoked with a conditional update. Of two concurrent refreshes with one token, only
   * the first succeeds and the second counts as reuse.
   */
  async rotate(token: string, client: ClientInfo): Promise<{ userId: string; tenantId: string; next: IssuedRefreshToken }> {
    const em = this.em.fork();
    const found = await this.findByToken(em, token);
    if (!found) {
      throw refreshError('REFRESH_TOKEN_INVALID', 'The refresh token is not valid. Log in again with POST /api/auth/login.');
    }

    return runInTenant(found.tenantId, async () => {
      const current = await this.assertUsable(found);
      return em.transactional((tx) => this.replace(tx, current, client));
    });
  }

  /** Revokes the family of a token (one login on one device). Unknown or already revoked tokens change nothing. */
  async revokeByToken(token: string): Promise<void> {
    const row = await this.findByToken(this.em.fork(), token);
    if (row) await runInTenant(row.tenantId, () => this.revokeFamily(row.familyId, 'logout'));
  }

  async revokeAllOfUser(userId: string): Promise<number> {
    return this.em.fork().nativeUpdate(RefreshToken, { userId, revokedAt: null }, { revokedAt: new Date() });
  }

  /** Finds a refresh token by its hash across tenants, because a refresh request carries nothing but the token. */
  private findByToken(em: EntityManager, token: string): Promise<RefreshToken | null> {
    if (typeof token !== 'string' || token.length === 0) return Promise.resolve(null);
    return runAsPlatform('find a refresh token by its hash', () => em.findOne(RefreshToken, { tokenHash: hashToken(token) }));
  }

  private async replace(tx: EntityManager, current: RefreshToken, client: ClientInfo): Promise<{ userId: string; tenantId: string; next: IssuedRefreshToken }> {
    const nextId = randomUUID();
    const revoked = await tx.nativeUpdate(RefreshToken, { id: current.id, revokedAt: null }, { revokedAt: new Date(), replacedBy: nextId });
    if (revoked === 0) {
      await this.revokeFamily(current.familyId, 'concurrent reuse');
      throw refreshError('REFRESH_TOKEN_REUSED', 'This refresh token was already used, so every session started with it was ended. Log in again with POST /api/auth/login.');
    }

    const next = await this.insert(tx, { id: nextId, userId: current.userId, tenantId: current.tenantId, familyId: current.familyId, client });
    return { userId: current.userId, tenantId: current.tenantId, next };
  }

  private async assertUsable(row: RefreshToken): Promise<RefreshToken> {
    if (row.revokedAt && row.replacedBy) {
      await this.revokeFamily(row.familyId, 'reuse');
      throw refreshError('REFRESH_TOKEN_REUSED', 'This refresh token was already used, so every session started with it was ended. Log in again with POST /api/auth/login.');
    }
    if (row.revokedAt) {
      throw refreshError('REFRESH_TOKEN_REVOKED', 'The refresh token was revoked by a logout, a password change or a deactivation. Log in again with POST /api/auth/login.');
    }
    if (row.expiresAt <= new Date()) {
      throw refreshError('REFRESH_TOKEN_EXPIRED', 'The refresh token expired. Log in again with POST /api/auth/login.');
    }
    return row;
  }

  private async revokeFamily(familyId: string, reason: string): Promise<void> {
    const count = await this.em.fork().nativeUpdate(RefreshToken, { familyId, revokedAt: null }, { revokedAt: new Date() });
    if (reason !== 'logout') this.logger.warn({ familyId, revoked: count, reason }, 'A replaced refresh token was presented again; revoked its family');
  }

  private async insert(
    em: EntityManager,
    fields: { id?: string; userId: string; tenantId: string; familyId: string; client: ClientInfo },
  ): Promise<IssuedRefreshToken> {
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    const expiresAt = new Date(Date.now() + this.config.auth.refreshTokenTtlSeconds * 1000);
    em.create(RefreshToken, {
      ...(fields.id ? { id: fields.id } : {}),
      userId: fields.userId,
      tenantId: fields.tenantId,
      familyId: fields.familyId,
      tokenHash: hashToken(token),
      expiresAt,
      userAgent: fields.client.userAgent?.slice(0, USER_AGENT_MAX_LENGTH) ?? null,
      ip: fields.client.ip ?? null,
    });
    await em.flush();
    return { token, expiresAt };
  }
}
