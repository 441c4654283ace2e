// Runs the simulator as a process: `SIMULATOR_PORT` (default 4100) and `SIMULATOR_STATE_DIR`
// (default `.data/sandbox-simulator` under the repository root). Logs are JSON lines on stdout.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { startSimulator } from './index';
import type { LogFn } from './log';

// libsignal logs whole session records, private keys included, whenever a session opens or closes.
const SECRET_LOG_PREFIXES = ['Opening session:', 'Closing session:', 'Removing old closed session:', 'Closing open session', 'Session already closed'];
for (const method of ['info', 'log', 'warn'] as const) {
  const original = console[method].bind(console);
  console[method] = (...args: unknown[]) => {
    const first = args[0];
    if (typeof first === 'string' && SECRET_LOG_PREFIXES.some(prefix => first.startsWith(prefix))) return;
    original(...args);
  };
}

/** Finds the repository root: the nearest folder above this file whose package.json declares workspaces. */
function repositoryRoot(): string {
  let dir = __dirname;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { workspaces?: unknown }).workspaces) return dir;
      } catch {
        // An unreadable manifest is not the root; keep walking up.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return resolve(__dirname, '..', '..');
    dir = parent;
  }
}

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;

function jsonLog(minLevel: keyof typeof LEVELS): LogFn {
  return (level, message, fields) => {
    if (LEVELS[level] < LEVELS[minLevel]) return;
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields })}\n`);
  };
}

async function main(): Promise<void> {
  const port = Number(process.env.SIMULATOR_PORT ?? 4100);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid SIMULATOR_PORT: ${process.env.SIMULATOR_PORT}`);
  const stateDir = resolve(repositoryRoot(), process.env.SIMULATOR_STATE_DIR ?? join('.data', 'sandbox-simulator'));
  const level = (process.env.SIMULATOR_LOG_LEVEL ?? 'info') as keyof typeof LEVELS;
  const log = jsonLog(level in LEVELS ? level : 'info');
  const sim = await startSimulator({ port, stateDir, log });
  log('info', 'simulator ready', {
    wsUrl: sim.wsUrl,
    controlUrl: sim.controlUrl,
    rootPublicKey: Buffer.from(sim.rootPublicKey).toString('base64'),
    stateDir,
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log('info', 'stopping simulator', { signal });
    sim.close().then(
      () => process.exit(0),
      error => {
        log('error', 'failed to stop cleanly', { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch(error => {
  process.stderr.write(`${JSON.stringify({ level: 'error', msg: 'simulator failed to start', error: String((error as Error)?.stack ?? error) })}\n`);
  process.exit(1);
});
