import { rmSync } from 'node:fs';
import type { EmbeddedDatabase } from '../../src/database/embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  const embedded = (globalThis as { __charlaEmbeddedPostgres?: { database: EmbeddedDatabase; dataDir: string } }).__charlaEmbeddedPostgres;
  if (!embedded) return;
  await embedded.database.stop();
  rmSync(embedded.dataDir, { recursive: true, force: true });
}
