import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { createTestDatabase, TestDatabase } from '../../test/setup/test-database';
import { currentScope, runInTenant, TenantScope } from '../common/tenant-context';
import { ClusterBus, SessionCommand } from './cluster-bus';
import { createPgPool } from './pg-pool.provider';
import type { SessionLeases } from './session-leases';

const INSTANCE = 'bus-test-instance';

describe(ClusterBus.name, () => {
  let database: TestDatabase;
  let pool: Pool;
  let bus: ClusterBus;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPgPool(database.url);
  });

  afterAll(async () => {
    await bus?.onModuleDestroy();
    await pool?.end();
    await database?.drop();
  });

  it("runs a command in its tenant's scope whatever scope opened the connection", async () => {
    const tenantA = randomUUID();
    const tenantB = randomUUID();
    bus = new ClusterBus(pool, { instanceId: INSTANCE } as SessionLeases);
    // Under traffic, code serving some tenant opens the pool's connections. A socket's events run in
    // the scope it was opened in, so a LISTEN connection taken from the pool can carry that scope.
    await runInTenant(tenantA, () => bus.onModuleInit());
    // The connection manager runs each command in its tenant's scope the same way.
    const handled = new Promise<TenantScope | undefined>((resolve, reject) => {
      bus.handle(async (command: SessionCommand) => {
        try {
          resolve(runInTenant(String(command.args?.tenantId), () => currentScope()));
        } catch (error) {
          reject(error as Error);
          throw error;
        }
      });
    });

    await pool.query('select pg_notify($1, $2)', [
      'charla_session_commands',
      JSON.stringify({ sessionId: randomUUID(), name: 'outbox', args: { tenantId: tenantB }, requestId: '', target: INSTANCE, origin: 'another-instance' }),
    ]);

    await expect(handled).resolves.toEqual({ kind: 'tenant', tenantId: tenantB });
  });
});
