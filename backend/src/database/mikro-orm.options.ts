import { DefaultLogger, Options } from '@mikro-orm/core';
import type { Logger } from 'pino';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { TENANT_FILTER, TenantWriteGuard } from './tenant-scope';

export function mikroOrmOptions(clientUrl: string, logger?: Logger): Options<PostgreSqlDriver> {
  const ormLogger = logger?.child({ module: 'mikro-orm' });
  return {
    driver: PostgreSqlDriver,
    clientUrl,
    entities: ENTITIES,
    extensions: [Migrator],
    forceUtcTimezone: true,
    allowGlobalContext: false,
    // Tenant isolation lives here rather than in each query: see tenant-scope.ts.
    filters: { [TENANT_FILTER.name]: TENANT_FILTER },
    subscribers: [new TenantWriteGuard()],
    // Every scoped relation points inside the same tenant, so the filter needs no extra joins.
    autoJoinRefsForFilters: false,
    pool: { min: 0, max: 10 },
    migrations: { migrationsList: MIGRATIONS, transactional: true, allOrNothing: true, snapshot: false },
    discovery: { warnWhenNoEntities: true },
    colors: false,
    ...(ormLogger ? { loggerFactory: (options) => new DefaultLogger({ ...options, writer: (message) => ormLogger.info(message) }) } : {}),
  };
}
