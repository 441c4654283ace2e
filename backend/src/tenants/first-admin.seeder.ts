import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { PasswordHasher } from '../auth/password-hasher';
import type { AppConfig } from '../config/app-config';
import { runAsPlatform } from '../common/tenant-context';
import { APP_CONFIG } from '../config/config.module';
import { MigrationRunner } from '../database/database.module';
import { User } from '../users/user.entity';
import { Tenant } from './tenant.entity';

/**
 * Creates the first tenant and its superadmin from ADMIN_EMAIL / ADMIN_PASSWORD when the database
 * has no user yet. Without ADMIN_PASSWORD a random password is generated and printed once: it is
 * the only password the app ever prints.
 */
@Injectable()
export class FirstAdminSeeder implements OnModuleInit {
  private readonly logger = new Logger(FirstAdminSeeder.name);

  constructor(
    private readonly em: EntityManager,
    private readonly hasher: PasswordHasher,
    private readonly migrations: MigrationRunner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.migrations.whenApplied();
    // An empty database has no tenant yet: counting users and creating the first tenant span them all.
    await runAsPlatform('create the first tenant on an empty database', () => this.seed());
  }

  private async seed(): Promise<void> {
    const em = this.em.fork();
    if ((await em.count(User, {})) > 0) return;

    const generated = !this.config.admin.password;
    const password = this.config.admin.password ?? randomBytes(12).toString('base64url');

    const passwordHash = await this.hasher.hash(password);
    const tenant = await em.transactional(async (transaction) => {
      // Users reference tenants by a plain column, so the tenant row is written first.
      const created = transaction.create(Tenant, { name: this.config.admin.tenantName });
      await transaction.flush();
      transaction.create(User, { tenantId: created.id, email: this.config.admin.email, name: this.config.admin.name, passwordHash, role: 'superadmin' });
      return created;
    });

    this.logger.log({ tenantId: tenant.id, email: this.config.admin.email }, 'Created the first tenant and its superadmin');
    if (generated) {
      // Printed on its own line, outside the structured log, so it is shown once and is easy to copy.
      process.stdout.write(
        `\n  First administrator created: ${this.config.admin.email}\n  Generated password (shown only this once): ${password}\n  Set ADMIN_PASSWORD to choose it yourself on a fresh database.\n\n`,
      );
    }
  }
}
