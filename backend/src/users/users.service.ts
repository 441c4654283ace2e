import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { HttpStatus, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { AuthService } from '../auth/auth.service';
import { PasswordHasher } from '../auth/password-hasher';
import { AppError } from '../common/app-error';
import { ParsedListQuery } from '../common/list-query';
import { CreateUserDto, UpdateUserDto } from './dto/user.dto';
import { User, UserRole } from './user.entity';

export interface UserView {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  active: boolean;
  createdAt: string;
}

export interface UserFilter {
  q: string;
  role: string;
  active: boolean;
}

export function toUserView(user: User): UserView {
  return { id: user.id, email: user.email, name: user.name, role: user.role, active: user.active, createdAt: user.createdAt.toISOString() };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Users of the caller's tenant. Only a superadmin grants or changes the superadmin role. */
@Injectable()
export class UsersService {
  constructor(
    private readonly em: EntityManager,
    private readonly hasher: PasswordHasher,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
  ) {}

  async list(actor: AuthUser, query: ParsedListQuery<Partial<UserFilter>>): Promise<{ items: UserView[]; total: number }> {
    const where: Record<string, unknown> = { tenantId: actor.tenantId };
    if (query.filter.role) where.role = String(query.filter.role);
    if (query.filter.active !== undefined) where.active = Boolean(query.filter.active);
    if (query.filter.q) where.$or = [{ name: { $ilike: `%${query.filter.q}%` } }, { email: { $ilike: `%${query.filter.q}%` } }];

    const [users, total] = await this.em.fork().findAndCount(User, where, {
      orderBy: { [query.sortField]: query.sortOrder, id: 'ASC' },
      limit: query.limit,
      offset: query.offset,
    });
    return { items: users.map(toUserView), total };
  }

  async get(actor: AuthUser, id: string): Promise<UserView> {
    return toUserView(await this.findOwned(this.em.fork(), actor, id));
  }

  async create(actor: AuthUser, body: CreateUserDto, tenantId = actor.tenantId): Promise<UserView> {
    this.assertMayGrant(actor, body.role);
    const em = this.em.fork();
    const user = em.create(User, { tenantId, email: body.email.toLowerCase(), name: body.name, role: body.role, passwordHash: await this.hasher.hash(body.password) });
    try {
      await em.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        throw AppError.conflict('EMAIL_TAKEN', `A user with the email ${body.email} already exists. Use another email or edit that user.`);
      }
      throw error;
    }
    await this.audit.record({ tenantId, actor, action: 'user.created', targetType: 'user', targetId: user.id, details: { email: user.email, role: user.role } });
    return toUserView(user);
  }

  async update(actor: AuthUser, id: string, body: UpdateUserDto): Promise<UserView> {
    const em = this.em.fork();
    const user = await this.findOwned(em, actor, id);
    if (user.role === 'superadmin' && actor.role !== 'superadmin') {
      throw new AppError(HttpStatus.FORBIDDEN, 'FORBIDDEN', 'Only a superadmin can change a superadmin.');
    }
    if (body.role) this.assertMayGrant(actor, body.role);
    if (user.id === actor.id && (body.active === false || (body.role && body.role !== user.role))) {
      throw AppError.unprocessable('CANNOT_CHANGE_OWN_ACCESS', 'You cannot deactivate yourself or change your own role. Ask another administrator.');
    }

    const previousRole = user.role;
    const wasActive = user.active;
    if (body.name !== undefined) user.name = body.name;
    if (body.role !== undefined) user.role = body.role;
    if (body.active !== undefined) user.active = body.active;
    if (body.password !== undefined) user.passwordHash = await this.hasher.hash(body.password);
    await em.flush();

    const deactivated = wasActive && !user.active;
    if (deactivated || body.password !== undefined) await this.auth.revokeAllSessions(user.id, user.tenantId);
    // The live feed put the user in rooms by role at connection; a new role needs a new connection.
    else if (previousRole !== user.role) this.auth.endLiveConnections(user.id, user.tenantId, 'role changed');
    await this.recordChanges(actor, user, { previousRole, wasActive, passwordChanged: body.password !== undefined });
    return toUserView(user);
  }

  private async recordChanges(actor: AuthUser, user: User, before: { previousRole: UserRole; wasActive: boolean; passwordChanged: boolean }): Promise<void> {
    const entry = { tenantId: user.tenantId, actor, targetType: 'user' as const, targetId: user.id };
    if (before.previousRole !== user.role) {
      await this.audit.record({ ...entry, action: 'user.role_changed', details: { email: user.email, from: before.previousRole, to: user.role } });
    }
    if (before.wasActive !== user.active) {
      await this.audit.record({ ...entry, action: user.active ? 'user.reactivated' : 'user.deactivated', details: { email: user.email } });
    }
    if (before.passwordChanged) {
      await this.audit.record({ ...entry, action: 'user.password_changed', details: { email: user.email } });
    }
  }

  /** Deactivates the user; rows that name the user stay intact. */
  deactivate(actor: AuthUser, id: string): Promise<UserView> {
    return this.update(actor, id, { active: false });
  }

  private assertMayGrant(actor: AuthUser, role: UserRole): void {
    if (role === 'superadmin' && actor.role !== 'superadmin') {
      throw new AppError(HttpStatus.FORBIDDEN, 'FORBIDDEN', 'Only a superadmin can make another superadmin. Choose the role admin or agent.');
    }
  }

  private async findOwned(em: EntityManager, actor: AuthUser, id: string): Promise<User> {
    const user = UUID.test(id) ? await em.findOne(User, { id, tenantId: actor.tenantId }) : null;
    if (!user) throw AppError.notFound('USER_NOT_FOUND', `User ${id.slice(0, 64)} was not found in your tenant.`);
    return user;
  }
}
