import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SCRIPT = resolve(__dirname, '../../../scripts/preflight.mjs');
const IS_ROOT = process.getuid?.() === 0;

/** Runs the check `npm start` makes before building, with `env` over this process's environment (an empty DATABASE_URL counts as unset). */
function preflight(env: NodeJS.ProcessEnv): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [SCRIPT], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { status: result.status, stderr: result.stderr };
}

describe('npm start preflight', () => {
  let privateFolder: string;

  beforeAll(() => {
    privateFolder = mkdtempSync(join(tmpdir(), 'charla-preflight-'));
    chmodSync(privateFolder, 0o700);
  });

  afterAll(() => {
    rmSync(privateFolder, { recursive: true, force: true });
  });

  it('stops before the build when embedded PostgreSQL could not enter the data folder', () => {
    const result = preflight({ DATABASE_URL: '', DATA_DIR: join(privateFolder, 'data') });

    // Only root hands the server to the postgres user; anyone else runs it as themselves.
    expect(result.status).toBe(IS_ROOT ? 1 : 0);
    if (IS_ROOT) expect(result.stderr).toContain(`Run "chmod o+x ${privateFolder}"`);
  });

  it('checks nothing when DATABASE_URL is set', () => {
    const result = preflight({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/postgres', DATA_DIR: join(privateFolder, 'data') });

    expect(result).toEqual({ status: 0, stderr: '' });
  });

  it('passes for a data folder others can enter', () => {
    const result = preflight({ DATABASE_URL: '', DATA_DIR: join(tmpdir(), 'charla-preflight-open', 'data') });

    expect(result).toEqual({ status: 0, stderr: '' });
  });
});
