// Development mode: the backend recompiles and restarts on every change, and Vite serves the panel
// with hot reload at http://localhost:5173/dashboard/, proxying /api and /socket.io to the backend.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const children = [];

function start(name, command, args, options = {}) {
  const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], ...options });
  child.stdout.on('data', (chunk) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) process.stdout.write(`[${name}] ${line}\n`);
    options.onOutput?.(chunk.toString());
  });
  child.on('exit', (code) => {
    process.stdout.write(`[${name}] exited with ${code}\n`);
    stopAll(code ?? 1);
  });
  children.push(child);
  return child;
}

let stopping = false;
function stopAll(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 3000).unref();
}
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

const tsc = join(root, 'node_modules/typescript/bin/tsc');
let serverStarted = false;
start('tsc', process.execPath, [tsc, '-p', 'backend/tsconfig.build.json', '--watch', '--preserveWatchOutput'], {
  onOutput: (text) => {
    // The server starts after the first complete compilation, then node --watch restarts it.
    if (serverStarted || !/Found \d+ errors?\. Watching for file changes/.test(text)) return;
    if (!existsSync(join(root, 'backend/dist/main.js'))) return;
    serverStarted = true;
    start('api', process.execPath, ['--watch-path=backend/dist', '--enable-source-maps', 'backend/dist/main.js']);
  },
});
start('panel', 'npm', ['run', 'dev', '-w', 'admin']);
