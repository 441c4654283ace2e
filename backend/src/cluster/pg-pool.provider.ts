import { Logger } from '@nestjs/common';
import { Pool, type PoolClient } from 'pg';
import { runWithoutScope } from '../common/tenant-context';

/** A small `pg` pool beside MikroORM's, for LISTEN/NOTIFY and the Socket.IO adapter. */
export const PG_POOL = Symbol('PG_POOL');

export function createPgPool(databaseUrl: string): Pool {
  const pool = new Pool({ connectionString: databaseUrl, max: 4, idleTimeoutMillis: 10_000 });
  const logger = new Logger('PgPool');
  // A socket's events run in the async context it was opened in. Connections are opened with no
  // tenant scope, so the scope of the request that opened one never reaches a LISTEN handler.
  const connect = pool.connect.bind(pool) as (...args: unknown[]) => unknown;
  pool.connect = ((...args: unknown[]) => runWithoutScope(() => connect(...args))) as Pool['connect'];
  // An idle client whose server went away emits 'error'; without a listener that would end the process.
  pool.on('error', (error) => logger.warn({ reason: error.message }, 'An idle database connection failed; the pool replaces it'));
  // A checked-out client emits 'error' on itself. The Socket.IO adapter holds its LISTEN client
  // without a listener, so every client gets one here. When such a client ends, its holder opens a
  // new one but never releases the dead one, which would make pool.end() wait forever at shutdown,
  // so a client that ends while checked out goes back to the pool as broken.
  const checkedOut = new WeakSet<PoolClient>();
  pool.on('acquire', (client) => checkedOut.add(client));
  pool.on('release', (_error, client) => checkedOut.delete(client));
  pool.on('connect', (client) => {
    client.on('error', (error) => logger.warn({ reason: error.message }, 'A database connection in use failed'));
    client.on('end', () => {
      if (!checkedOut.has(client)) return;
      try {
        client.release(true);
      } catch {
        // Its holder released it first.
      }
    });
  });
  return pool;
}
