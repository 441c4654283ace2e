import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';

/**
 * Tests use DATABASE_URL when it is set (CI points it at the machine's PostgreSQL); otherwise one
 * embedded PostgreSQL serves the whole run. Each test file then creates and drops its own database.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) {
    process.env.TEST_ADMIN_DATABASE_URL = process.env.DATABASE_URL;
    return;
  }

  const dataDir = mkdtempSync(join(tmpdir(), 'charla-test-pg-'));
  const port = await freePort();
  const database = await startEmbeddedPostgres({ dataDir, port, grantTraversal: true });
  process.env.TEST_ADMIN_DATABASE_URL = database.adminUrl;
  (globalThis as { __charlaEmbeddedPostgres?: unknown }).__charlaEmbeddedPostgres = { database, dataDir };
  process.stdout.write(`\nTests use an embedded PostgreSQL on port ${port} (DATABASE_URL is not set).\n`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
