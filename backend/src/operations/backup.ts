import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { Client } from 'pg';
import { MIGRATIONS } from '../database/migrations';

/**
 * A portable backup of one Charla installation: every table row and the credential files, in one
 * gzipped file of JSON lines. It needs no `pg_dump` of the server's version, so it also works with
 * the embedded PostgreSQL; for large external databases `pg_dump` remains the faster choice.
 */
export const BACKUP_FORMAT = 'charla-backup';
const BACKUP_VERSION = 1;
const BATCH_ROWS = 500;

/** Tables that only describe the running processes; a restored installation starts without them. */
const TRANSIENT_TABLES = new Set(['mikro_orm_migrations', 'session_leases', 'socket_io_attachments']);

interface Header {
  kind: 'header';
  format: typeof BACKUP_FORMAT;
  version: number;
  createdAt: string;
  migrations: string[];
  tables: string[];
}

/** The folder a file belongs to: the WhatsApp credentials, or media kept in the local media folder. */
export type FileRoot = 'credentials' | 'media';

type Line = Header | { kind: 'rows'; table: string; rows: unknown[] } | { kind: 'file'; root?: FileRoot; path: string; mode: number; data: string };

/** The folders a backup copies; `media` is undefined when media lives in S3, which keeps its own copies. */
export interface BackupFolders {
  credentials: string;
  media?: string;
}

export interface BackupSummary {
  tables: Record<string, number>;
  files: number;
  mediaFiles: number;
}

export class BackupError extends Error {}

/** Writes the database, the credential folder and the local media folder to `outFile`. */
export async function writeBackup(databaseUrl: string, folders: BackupFolders, outFile: string): Promise<BackupSummary> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const gzip = createGzip();
  const output = gzip.pipe(createWriteStream(outFile, { mode: 0o600 }));
  const write = (line: Line) => new Promise<void>((done) => (gzip.write(`${JSON.stringify(line)}\n`) ? done() : gzip.once('drain', done)));
  const summary: BackupSummary = { tables: {}, files: 0, mediaFiles: 0 };

  try {
    // One snapshot for every table, so rows that point at each other are consistent.
    await client.query('begin transaction isolation level repeatable read read only');
    const tables = await tablesInLoadOrder(client);
    await write({ kind: 'header', format: BACKUP_FORMAT, version: BACKUP_VERSION, createdAt: new Date().toISOString(), migrations: await appliedMigrations(client), tables });

    for (const table of tables) {
      summary.tables[table] = 0;
      await client.query(`declare rows_cursor no scroll cursor for select row_to_json(t) as row from ${quote(table)} t`);
      for (;;) {
        const { rows } = await client.query<{ row: unknown }>(`fetch ${BATCH_ROWS} from rows_cursor`);
        if (rows.length === 0) break;
        summary.tables[table] += rows.length;
        await write({ kind: 'rows', table, rows: rows.map((entry) => entry.row) });
      }
      await client.query('close rows_cursor');
    }
    await client.query('commit');

    for (const file of filesUnder(folders.credentials)) {
      await write({ kind: 'file', root: 'credentials', path: file.path, mode: file.mode, data: readFileSync(join(folders.credentials, file.path)).toString('base64') });
      summary.files += 1;
    }
    for (const file of folders.media ? filesUnder(folders.media) : []) {
      await write({ kind: 'file', root: 'media', path: file.path, mode: file.mode, data: readFileSync(join(folders.media!, file.path)).toString('base64') });
      summary.mediaFiles += 1;
    }
  } finally {
    gzip.end();
    await finished(output);
    await client.end();
  }
  return summary;
}

/**
 * Loads a backup into a database that has the current migrations and no tenant yet, and writes its
 * credential files. Rejects a backup from another set of migrations, a database that already contains
 * data, and credential files that already exist, so nothing is overwritten.
 */
export async function restoreBackup(databaseUrl: string, folders: BackupFolders, inFile: string): Promise<BackupSummary> {
  if (!existsSync(inFile)) throw new BackupError(`${inFile} does not exist. Give the path of a file written by npm run backup.`);
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const summary: BackupSummary = { tables: {}, files: 0, mediaFiles: 0 };
  let header: Header | undefined;
  const files: Extract<Line, { kind: 'file' }>[] = [];

  try {
    await client.query('begin');
    const lines = createInterface({ input: createReadStream(inFile).pipe(createGunzip()), crlfDelay: Infinity });
    let selfReferences: Map<string, string[]> | undefined;
    const deferred: { table: string; rows: unknown[] }[] = [];

    for await (const text of lines) {
      if (!text) continue;
      const line = JSON.parse(text) as Line;
      if (line.kind === 'header') {
        header = line;
        await checkTarget(client, line);
        selfReferences = await selfReferencingColumns(client);
        continue;
      }
      if (!header) throw new BackupError(`${inFile} is not a Charla backup: it does not start with a header.`);
      if (line.kind === 'file') {
        files.push(line);
        continue;
      }

      const columns = selfReferences?.get(line.table) ?? [];
      await insertRows(client, line.table, line.rows, columns);
      if (columns.length > 0) deferred.push({ table: line.table, rows: line.rows });
      summary.tables[line.table] = (summary.tables[line.table] ?? 0) + line.rows.length;
    }
    if (!header) throw new BackupError(`${inFile} is empty or not a Charla backup.`);

    // Rows that point at rows of their own table (a reply and the message it quotes) get those links last.
    for (const batch of deferred) await restoreSelfReferences(client, batch.table, batch.rows, selfReferences!.get(batch.table)!);
    checkFiles(folders, files);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }

  writeFiles(folders, files);
  summary.files = files.filter((file) => rootOf(file) === 'credentials').length;
  summary.mediaFiles = files.length - summary.files;
  return summary;
}

async function checkTarget(client: Client, header: Header): Promise<void> {
  if (header.format !== BACKUP_FORMAT || header.version !== BACKUP_VERSION) {
    throw new BackupError(`Unsupported backup format ${header.format} version ${header.version}; this Charla reads ${BACKUP_FORMAT} version ${BACKUP_VERSION}.`);
  }
  const current = MIGRATIONS.map((migration) => migration.name);
  if (JSON.stringify(header.migrations) !== JSON.stringify(current)) {
    throw new BackupError(
      `The backup was made by a Charla with ${header.migrations.length} migrations and this one has ${current.length}. Restore it with the Charla version that made it, then upgrade.`,
    );
  }
  const applied = await appliedMigrations(client);
  if (JSON.stringify(applied) !== JSON.stringify(current)) {
    throw new BackupError('The target database is not migrated to this Charla version. Start Charla once against it (or run npm run restore, which migrates first) and try again.');
  }
  const { rows } = await client.query<{ count: string }>('select count(*) from tenants');
  if (Number(rows[0].count) > 0) throw new BackupError('The target database already contains tenants. Restore into a new, empty database so nothing is overwritten.');
}

/** Tables of the public schema, each after the tables it references. */
async function tablesInLoadOrder(client: Client): Promise<string[]> {
  const { rows: tables } = await client.query<{ name: string }>("select tablename as name from pg_tables where schemaname = 'public' order by tablename");
  const { rows: references } = await client.query<{ child: string; parent: string }>(
    `select c.conrelid::regclass::text as child, c.confrelid::regclass::text as parent
     from pg_constraint c join pg_namespace n on n.oid = c.connamespace
     where c.contype = 'f' and n.nspname = 'public' and c.conrelid <> c.confrelid`,
  );
  const names = tables.map((table) => table.name).filter((name) => !TRANSIENT_TABLES.has(name));
  const ordered: string[] = [];
  const visit = (name: string, path: Set<string>) => {
    if (ordered.includes(name) || path.has(name)) return;
    path.add(name);
    for (const reference of references.filter((entry) => unquote(entry.child) === name)) visit(unquote(reference.parent), path);
    if (names.includes(name)) ordered.push(name);
  };
  for (const name of names) visit(name, new Set());
  return ordered;
}

async function selfReferencingColumns(client: Client): Promise<Map<string, string[]>> {
  const { rows } = await client.query<{ table_name: string; column_name: string }>(
    `select c.conrelid::regclass::text as table_name, a.attname as column_name
     from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any(c.conkey)
     where c.contype = 'f' and c.conrelid = c.confrelid`,
  );
  const columns = new Map<string, string[]>();
  for (const row of rows) columns.set(unquote(row.table_name), [...(columns.get(unquote(row.table_name)) ?? []), row.column_name]);
  return columns;
}

async function insertRows(client: Client, table: string, rows: unknown[], nulledColumns: string[]): Promise<void> {
  const withoutLinks = nulledColumns.length === 0 ? rows : rows.map((row) => ({ ...(row as object), ...Object.fromEntries(nulledColumns.map((column) => [column, null])) }));
  await client.query(`insert into ${quote(table)} select * from json_populate_recordset(null::${quote(table)}, $1::json)`, [JSON.stringify(withoutLinks)]);
}

async function restoreSelfReferences(client: Client, table: string, rows: unknown[], columns: string[]): Promise<void> {
  const assignments = columns.map((column) => `${quote(column)} = source.${quote(column)}`).join(', ');
  await client.query(`update ${quote(table)} target set ${assignments} from json_populate_recordset(null::${quote(table)}, $1::json) source where target.id = source.id`, [
    JSON.stringify(rows),
  ]);
}

async function appliedMigrations(client: Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>('select name from mikro_orm_migrations order by id');
  return rows.map((row) => row.name.replace(/\.(ts|js)$/, ''));
}

function filesUnder(root: string): { path: string; mode: number }[] {
  if (!existsSync(root)) return [];
  const files: { path: string; mode: number }[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name !== '.gitkeep') files.push({ path: relative(root, full), mode: statSync(full).mode & 0o777 });
    }
  };
  walk(root);
  return files;
}

type FileLine = Extract<Line, { kind: 'file' }>;

/** Backups made before media was copied name no root; their files are credentials. */
function rootOf(file: FileLine): FileRoot {
  return file.root ?? 'credentials';
}

function folderOf(folders: BackupFolders, file: FileLine): string {
  const folder = folders[rootOf(file)];
  if (!folder) throw new BackupError('The backup contains media files, but this installation keeps media in S3 (MEDIA_STORAGE=s3). Restore with MEDIA_STORAGE=local, or copy the files to the bucket yourself.');
  return resolve(folder);
}

/** Checks every path before anything is written; the paths come from the backup file. */
function checkFiles(folders: BackupFolders, files: FileLine[]): void {
  for (const file of files) {
    const base = folderOf(folders, file);
    const target = resolve(base, file.path);
    if (!target.startsWith(`${base}${sep}`)) throw new BackupError(`The backup names a file outside its folder (${file.path}); nothing was restored.`);
    if (existsSync(target)) throw new BackupError(`${target} already exists. Restore into empty credentials and media folders so nothing is overwritten.`);
  }
}

function writeFiles(folders: BackupFolders, files: FileLine[]): void {
  for (const file of files) {
    const target = resolve(folderOf(folders, file), file.path);
    mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
    writeFileSync(target, Buffer.from(file.data, 'base64'), { mode: file.mode & 0o600 });
  }
}

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

function unquote(identifier: string): string {
  return identifier.replace(/^"|"$/g, '');
}
