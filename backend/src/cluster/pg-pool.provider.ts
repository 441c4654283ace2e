import { Logger } from '@nestjs/common';
import { Pool } from 'pg';

/** A small `pg` pool beside MikroORM's, for LISTEN/NOTIFY and the Socket.IO adapter. */
export const PG_POOL = Symbol('PG_POOL');

export function createPgPool(databaseUrl: string): Pool {
  const pool = new Pool({ connectionString: databaseUrl, max: 4, idleTimeoutMillis: 10_000 });
  // An idle client whose server went away emits 'error'; without a listener that would end the process.
  pool.on('error', (error) => new Logger('PgPool').warn({ reason: error.message }, 'An idle database connection failed; the pool replaces it'));
  return pool;
}
