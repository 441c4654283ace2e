import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { runAsPlatform, runInTenant, tenantParam } from '../common/tenant-context';
import { RealtimeEvents } from '../realtime/realtime-events';
import { AppError } from '../common/app-error';
import type { AppConfig } from '../config/app-config';
import { durationToSeconds } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { Tenant } from '../tenants/tenant.entity';
import { User } from '../users/user.entity';
import { JwtPayload } from './auth-user';
import { LoginThrottle } from './login-throttle';
import { PasswordHasher } from './password-hasher';
import { ClientInfo, RefreshTokensService } from './refresh-tokens.service';

export interface LoginResult {
  accessToken: string;
  /** Seconds until `accessToken` expires. */
  expiresIn: number;
  refreshToken: string;
  refreshTokenExpiresAt: string;
  user: { id: string; email: string; name: string; role: string; tenantId: string };
}

@Injectable()
export class AuthService {
  // Verifying against a real hash when the account does not exist keeps the response time the same.
  private readonly dummyHash: Promise<string>;

  constructor(
    private readonly em: EntityManager,
    private readonly jwt: JwtService,
    private readonly hasher: PasswordHasher,
    private readonly throttle: LoginThrottle,
    private readonly refreshTokens: RefreshTokensService,
    private readonly realtime: RealtimeEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.dummyHash = hasher.hash(randomUUID());
  }

  async login(email: string, password: string, client: ClientInfo): Promise<LoginResult> {
    await this.throttle.assertAllowed(email, client.ip);

    const em = this.em.fork();
    // A login carries only an email, so the account is found before its tenant is known.
    const user = await runAsPlatform('find the account of a login', () => em.findOne(User, { email: email.toLowerCase() }));
    const passwordMatches = await this.hasher.verify(user?.passwordHash ?? (await this.dummyHash), password);
    const tenant = user ? await runInTenant(user.tenantId, () => em.findOne(Tenant, { id: user.tenantId })) : null;

    if (!user || !passwordMatches || !user.active || tenant?.status !== 'active') {
      await this.throttle.recordFailure(email, client.ip);
      throw new AppError(HttpStatus.UNAUTHORIZED, 'INVALID_CREDENTIALS', 'Invalid email or password. Check both and try again.');
    }

    await this.throttle.recordSuccess(email);
    return runInTenant(user.tenantId, async () => this.issue(user, await this.refreshTokens.issue(user.id, user.tenantId, client)));
  }

  /** Exchanges a refresh token for a new pair; the user and tenant must still be active. */
  async refresh(refreshToken: string, client: ClientInfo): Promise<LoginResult> {
    const { userId, tenantId, next } = await this.refreshTokens.rotate(refreshToken, client);
    return runInTenant(tenantId, () => this.issueAfterRefresh(userId, next));
  }

  private async issueAfterRefresh(userId: string, next: { token: string; expiresAt: Date }): Promise<LoginResult> {
    const em = this.em.fork();
    const user = await em.findOne(User, { id: userId, active: true });
    const tenant = user ? await em.findOne(Tenant, { id: user.tenantId, status: 'active' }) : null;
    if (!user || !tenant) {
      await this.refreshTokens.revokeAllOfUser(userId);
      throw new AppError(HttpStatus.UNAUTHORIZED, 'REFRESH_TOKEN_REVOKED', 'The account or its business is no longer active. Ask an administrator.');
    }
    return this.issue(user, next);
  }

  logout(refreshToken: string): Promise<void> {
    return this.refreshTokens.revokeByToken(refreshToken);
  }

  /**
   * Ends every session of a user: the refresh tokens are revoked and the raised token version makes
   * the access tokens already issued fail at their next request.
   */
  async revokeAllSessions(userId: string, tenantId: string): Promise<void> {
    await this.em
      .fork()
      .getConnection()
      .execute('update users set token_version = token_version + 1 where id = ? and tenant_id = ?', [userId, tenantParam(tenantId, 'Ending the sessions of a user')]);
    await this.refreshTokens.revokeAllOfUser(userId);
    this.endLiveConnections(userId, tenantId, 'tokens revoked');
  }

  /** Disconnects the user's open live-feed connections; the panel reconnects with a token checked anew. */
  endLiveConnections(userId: string, tenantId: string, reason: string): void {
    this.realtime.endConnectionsOf(tenantId, userId, reason);
  }

  private async issue(user: User, refresh: { token: string; expiresAt: Date }): Promise<LoginResult> {
    const payload: JwtPayload = { sub: user.id, tenantId: user.tenantId, role: user.role, ver: user.tokenVersion };
    return {
      accessToken: await this.jwt.signAsync(payload),
      expiresIn: durationToSeconds(this.config.auth.jwtExpiresIn),
      refreshToken: refresh.token,
      refreshTokenExpiresAt: refresh.expiresAt.toISOString(),
      user: { id: user.id, email: user.email, name: user.name, role: user.role, tenantId: user.tenantId },
    };
  }
}
