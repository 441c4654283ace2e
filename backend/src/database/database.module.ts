import { MikroORM } from '@mikro-orm/core';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { DynamicModule, Global, Injectable, Logger, MiddlewareConsumer, Module, NestModule, OnModuleInit, RequestMethod } from '@nestjs/common';
import type { Logger as PinoLogger } from 'pino';
import { createPgPool, PG_POOL } from '../cluster/pg-pool.provider';
import { mikroOrmOptions } from './mikro-orm.options';
import { TenantScopeMiddleware } from './tenant-scope.middleware';

/** Applies the checked-in migrations before any other module touches the database. */
@Injectable()
export class MigrationRunner implements OnModuleInit {
  private readonly logger = new Logger(MigrationRunner.name);

  private applied?: Promise<void>;

  constructor(private readonly orm: MikroORM) {}

  onModuleInit(): Promise<void> {
    return this.whenApplied();
  }

  /** Resolves once the migrations ran; providers that read the database at init await it. */
  whenApplied(): Promise<void> {
    this.applied ??= this.orm
      .getMigrator()
      .up()
      .then((migrations) => {
        if (migrations.length > 0) this.logger.log({ migrations: migrations.map((migration) => migration.name) }, 'Applied database migrations');
      });
    return this.applied;
  }
}

@Global()
@Module({})
export class DatabaseModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(TenantScopeMiddleware).forRoutes({ path: '{*all}', method: RequestMethod.ALL });
  }

  static forRoot(databaseUrl: string, logger?: PinoLogger): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        MikroOrmModule.forRoot({
          ...mikroOrmOptions(databaseUrl, logger),
          driver: PostgreSqlDriver,
          registerRequestContext: true,
        }),
      ],
      providers: [MigrationRunner, { provide: PG_POOL, useFactory: () => createPgPool(databaseUrl) }],
      exports: [MigrationRunner, PG_POOL],
    };
  }
}
