import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { createTestDatabase, TestDatabase } from '../../test/setup/test-database';
import { currentScope, runInTenant } from '../common/tenant-context';
import { createPgPool } from './pg-pool.provider';

describe(createPgPool.name, () => {
  let database: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPgPool(database.url);
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('opens connections that carry no tenant scope into their events', async () => {
    const client = await runInTenant(randomUUID(), () => pool.connect());
    let scope: unknown = 'no notification';
    try {
      const notified = new Promise<void>((resolve) =>
        client.once('notification', () => {
          scope = currentScope();
          resolve();
        }),
      );
      await client.query('listen pool_scope_test');
      await pool.query("select pg_notify('pool_scope_test', 'ping')");
      await notified;
    } finally {
      client.release();
    }

    expect(scope).toBeUndefined();
  });

  it("still answers queries in the caller's scope", async () => {
    const tenantId = randomUUID();

    const seen = await runInTenant(tenantId, async () => {
      await pool.query('select 1');
      return currentScope();
    });

    expect(seen).toEqual({ kind: 'tenant', tenantId });
  });
});
