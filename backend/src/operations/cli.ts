import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resolveFromRoot } from '../common/repo-paths';
import { ConfigValidationError, loadConfig } from '../config/app-config';
import { EmbeddedDatabase, embeddedDatabaseUrl, ensureDatabase, startEmbeddedPostgres } from '../database/embedded-postgres';
import { mikroOrmOptions } from '../database/mikro-orm.options';
import { BackupError, restoreBackup, writeBackup } from './backup';

const USAGE = 'Usage: npm run backup -- FILE   |   npm run restore -- FILE';
// The database the app uses on the embedded server; see bootstrap.ts.
const EMBEDDED_DATABASE = 'charla';

/** `backup FILE` writes the database and credentials to FILE; `restore FILE` loads them into an empty installation. */
async function main(): Promise<void> {
  const [command, file] = process.argv.slice(2);
  if (!['backup', 'restore'].includes(command) || !file) throw new BackupError(USAGE);

  const envFile = resolveFromRoot('.env');
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  const config = loadConfig();
  const target = resolve(process.env.INIT_CWD ?? process.cwd(), file);

  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.database.url;
  if (!databaseUrl) {
    // While Charla runs, its embedded server is already up on the port: use it instead of a second one.
    const running = embeddedDatabaseUrl(config.database.embeddedPort, EMBEDDED_DATABASE);
    if (await answers(running)) {
      databaseUrl = running;
    } else {
      embedded = await startEmbeddedPostgres({ dataDir: join(config.paths.dataDir, 'postgres'), port: config.database.embeddedPort, log: () => undefined });
      await ensureDatabase(embedded.adminUrl, EMBEDDED_DATABASE);
      databaseUrl = embedded.urlFor(EMBEDDED_DATABASE);
    }
  }
  // Media in S3 stays in the bucket, which has its own versioning and backups.
  const folders = { credentials: config.paths.authSessionsDir, media: config.media.storage === 'local' ? join(config.paths.dataDir, 'media') : undefined };

  try {
    if (command === 'backup') {
      const summary = await writeBackup(databaseUrl, folders, target);
      process.stdout.write(`Wrote ${target}: ${JSON.stringify(summary)}\n`);
      return;
    }
    await migrate(databaseUrl);
    const summary = await restoreBackup(databaseUrl, folders, target);
    process.stdout.write(`Restored ${target}: ${JSON.stringify(summary)}\n`);
  } finally {
    await embedded?.stop();
  }
}

async function answers(databaseUrl: string): Promise<boolean> {
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function migrate(databaseUrl: string): Promise<void> {
  const orm = await MikroORM.init(mikroOrmOptions(databaseUrl));
  try {
    await orm.getMigrator().up();
  } finally {
    await orm.close();
  }
}

main().catch((error: Error) => {
  const expected = error instanceof BackupError || error instanceof ConfigValidationError;
  process.stderr.write(`${expected ? error.message : (error.stack ?? error.message)}\n`);
  process.exit(1);
});
