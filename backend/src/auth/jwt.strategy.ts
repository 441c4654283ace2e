import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { Tenant } from '../tenants/tenant.entity';
import { User } from '../users/user.entity';
import { AuthUser, JwtPayload } from './auth-user';
import { runInTenant, TenantScopeError } from '../common/tenant-context';

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly em: EntityManager,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.auth.jwtSecret!,
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  /** Reloads the user so a deactivated user, a changed password or a suspended tenant ends access at once. */
  async validate(payload: JwtPayload): Promise<AuthUser | false> {
    return resolveAuthUser(this.em, payload);
  }
}

export async function resolveAuthUser(em: EntityManager, payload: JwtPayload): Promise<AuthUser | false> {
  // The token names its tenant, but only a signed token reaches here; the user row must agree with it.
  if (typeof payload.tenantId !== 'string') return false;
  const user = await runInTenant(payload.tenantId, async () => {
    const found = await em.findOne(User, { id: payload.sub, active: true });
    const tenant = found ? await em.findOne(Tenant, { id: found.tenantId, status: 'active' }) : null;
    return found && tenant ? found : null;
  }).catch((error: unknown) => {
    // A tenant id that is not a UUID cannot name a scope, so the token is simply not valid.
    if (error instanceof TenantScopeError) return null;
    throw error;
  });
  if (!user || user.tenantId !== payload.tenantId) return false;

  // A password change or deactivation raised the version, which ends tokens issued before it.
  if ((payload.ver ?? 0) !== user.tokenVersion) return false;

  return { id: user.id, tenantId: user.tenantId, email: user.email, name: user.name, role: user.role };
}
