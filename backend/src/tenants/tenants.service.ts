import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AuthUser } from '../auth/auth-user';
import { PasswordHasher } from '../auth/password-hasher';
import { AppError } from '../common/app-error';
import { ParsedListQuery } from '../common/list-query';
import { runAsPlatform, runInTenant } from '../common/tenant-context';
import { User } from '../users/user.entity';
import { ConnectionManager } from '../whatsapp-sessions/connection-manager.service';
import { WhatsAppSession } from '../whatsapp-sessions/whatsapp-session.entity';
import { CreateTenantDto, UpdateTenantDto } from './dto/tenant.dto';
import { Tenant, TenantStatus } from './tenant.entity';

export interface TenantView {
  id: string;
  name: string;
  status: TenantStatus;
  createdAt: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Runs `work` in the platform scope: a superadmin's tenant routes reach every tenant's row, and nothing else of theirs. */
function acrossTenants<T>(work: () => Promise<T>): Promise<T> {
  return runAsPlatform('manage tenant rows as a superadmin', work);
}

function toTenantView(tenant: Tenant): TenantView {
  return { id: tenant.id, name: tenant.name, status: tenant.status, createdAt: tenant.createdAt.toISOString() };
}

/** Tenant administration for superadmins: it manages tenants themselves, never their conversations. */
@Injectable()
export class TenantsService {
  constructor(
    private readonly em: EntityManager,
    private readonly hasher: PasswordHasher,
    private readonly connections: ConnectionManager,
  ) {}

  async list(query: ParsedListQuery<Partial<{ q: string; status: string }>>): Promise<{ items: TenantView[]; total: number }> {
    const where: Record<string, unknown> = {};
    if (query.filter.status) where.status = String(query.filter.status);
    if (query.filter.q) where.name = { $ilike: `%${query.filter.q}%` };
    const [tenants, total] = await acrossTenants(() =>
      this.em.fork().findAndCount(Tenant, where, { orderBy: { [query.sortField]: query.sortOrder, id: 'ASC' }, limit: query.limit, offset: query.offset }),
    );
    return { items: tenants.map(toTenantView), total };
  }

  async get(id: string): Promise<TenantView> {
    return toTenantView(await this.find(this.em.fork(), id));
  }

  /** Creates a tenant with its first admin in one transaction. */
  async create(body: CreateTenantDto): Promise<TenantView> {
    const passwordHash = await this.hasher.hash(body.adminPassword);
    try {
      const tenant = await acrossTenants(() =>
        this.em.fork().transactional(async (em) => {
          const created = em.create(Tenant, { name: body.name });
          await em.flush();
          // The first admin belongs to the new tenant, so it is written in that tenant's scope.
          await runInTenant(created.id, async () => {
            em.create(User, { tenantId: created.id, email: body.adminEmail.toLowerCase(), name: body.adminName ?? body.name, passwordHash, role: 'admin' });
            await em.flush();
          });
          return created;
        }),
      );
      return toTenantView(tenant);
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        throw AppError.conflict('EMAIL_TAKEN', `A user with the email ${body.adminEmail} already exists. Choose another email for the tenant's admin.`);
      }
      throw error;
    }
  }

  async update(actor: AuthUser, id: string, body: UpdateTenantDto): Promise<TenantView> {
    const em = this.em.fork();
    const tenant = await this.find(em, id);
    if (body.status === 'suspended' && tenant.id === actor.tenantId) {
      throw AppError.unprocessable('CANNOT_MODIFY_OWN_TENANT', 'You cannot suspend your own tenant; another superadmin can.');
    }
    if (body.name !== undefined) tenant.name = body.name;
    if (body.status !== undefined) tenant.status = body.status;
    await acrossTenants(() => em.flush());
    return toTenantView(tenant);
  }

  /** Logs out the tenant's linked numbers, then deletes the tenant and everything it owns. */
  async remove(actor: AuthUser, id: string): Promise<TenantView> {
    const em = this.em.fork();
    const tenant = await this.find(em, id);
    if (tenant.id === actor.tenantId) {
      throw AppError.unprocessable('CANNOT_MODIFY_OWN_TENANT', 'You cannot delete your own tenant; another superadmin can.');
    }

    await acrossTenants(async () => {
      // The tenant's numbers are logged out in its own scope; only the tenant row is handled across tenants.
      await runInTenant(tenant.id, async () => {
        const sessions = await em.find(WhatsAppSession, { tenantId: tenant.id, deletedAt: null });
        for (const session of sessions) await this.connections.logout(session);
      });
      await em.nativeDelete(Tenant, { id: tenant.id });
    });
    return toTenantView(tenant);
  }

  private async find(em: EntityManager, id: string): Promise<Tenant> {
    const tenant = UUID.test(id) ? await acrossTenants(() => em.findOne(Tenant, { id })) : null;
    if (!tenant) throw AppError.notFound('TENANT_NOT_FOUND', `Tenant ${id.slice(0, 64)} was not found.`);
    return tenant;
  }
}
