import { Pool } from 'pg';

/** A small `pg` pool beside MikroORM's, for LISTEN/NOTIFY and the Socket.IO adapter. */
export const PG_POOL = Symbol('PG_POOL');

export function createPgPool(databaseUrl: string): Pool {
  return new Pool({ connectionString: databaseUrl, max: 4, idleTimeoutMillis: 10_000 });
}
