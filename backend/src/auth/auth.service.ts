import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { HttpStatus, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppError } from '../common/app-error';
import { Tenant } from '../tenants/tenant.entity';
import { User } from '../users/user.entity';
import { JwtPayload } from './auth-user';
import { PasswordHasher } from './password-hasher';

export interface LoginResult {
  accessToken: string;
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
  ) {
    this.dummyHash = hasher.hash(randomUUID());
  }

  async login(email: string, password: string): Promise<LoginResult> {
    const user = await this.em.findOne(User, { email: email.toLowerCase() });
    const passwordMatches = await this.hasher.verify(user?.passwordHash ?? (await this.dummyHash), password);
    const tenant = user ? await this.em.findOne(Tenant, { id: user.tenantId }) : null;

    if (!user || !passwordMatches || !user.active || tenant?.status !== 'active') {
      throw new AppError(HttpStatus.UNAUTHORIZED, 'INVALID_CREDENTIALS', 'Invalid email or password. Check both and try again.');
    }

    const payload: JwtPayload = { sub: user.id, tenantId: user.tenantId, role: user.role };
    return {
      accessToken: await this.jwt.signAsync(payload),
      user: { id: user.id, email: user.email, name: user.name, role: user.role, tenantId: user.tenantId },
    };
  }
}
