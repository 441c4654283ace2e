// The processes a benchmark drives: the simulator, the app (backend/dist/main.js) and bare Baileys
// sockets, each a child process of its own, plus the databases they use.
import { fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROBE, profiling } from './profiler.mjs';

const require = createRequire(import.meta.url);
const pg = require('pg');

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
/** BENCH_BACKEND_DIR runs another build of the backend, for example a clean checkout. */
export const BACKEND_DIR = process.env.BENCH_BACKEND_DIR ?? join(ROOT, 'backend');
export const ADMIN_EMAIL = 'bench@charla.test';
export const ADMIN_PASSWORD = 'bench-password-123';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns something other than undefined, or throws after `timeoutMs`. */
export async function waitUntil(check, timeoutMs, what, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Resident set size of a process in bytes, read from /proc. */
export function rssOf(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : NaN;
}

/** CPU time (user + system) of a process in seconds, read from /proc (Linux clock ticks of 1/100 s). */
export function cpuSecondsOf(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

/**
 * Returns the PostgreSQL server to create benchmark databases on: BENCH_DATABASE_URL or DATABASE_URL, or
 * else an embedded PostgreSQL started for this run (as `npm test` does).
 */
export async function startDatabaseServer() {
  const url = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
  if (url) return { adminUrl: url, stop: async () => undefined };

  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { startEmbeddedPostgres } = require(join(BACKEND_DIR, 'dist/database/embedded-postgres.js'));
  const dataDir = mkdtempSync(join(tmpdir(), 'charla-bench-pg-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const database = await startEmbeddedPostgres({ dataDir, port, grantTraversal: true });
  return {
    adminUrl: database.adminUrl,
    stop: async () => {
      await database.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function withClient(url, task) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await task(client);
  } finally {
    await client.end();
  }
}

/** Creates a database of its own, dropped by `drop()`. */
export async function createDatabase(adminUrl, label) {
  const name = `charla_bench_${label}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await withClient(adminUrl, (client) => client.query(`create database ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: () => withClient(adminUrl, (client) => client.query(`drop database if exists ${name} with (force)`)) };
}

export async function serverVersion(adminUrl) {
  return withClient(adminUrl, async (client) => (await client.query('show server_version')).rows[0].server_version);
}

// ---------------------------------------------------------------------------------------------
// Child processes

function onceMessage(child, predicate, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', listener);
      reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const listener = (message) => {
      if (!predicate(message)) return;
      clearTimeout(timer);
      child.off('message', listener);
      resolve(message);
    };
    child.on('message', listener);
  });
}

/** Starts the simulator in its own process. */
export async function startSimulatorProcess() {
  const child = fork(join(ROOT, 'bench/lib/simulator-child.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await onceMessage(child, (message) => message.evt === 'ready', 30_000, 'the simulator to start');
  const controlUrl = ready.controlUrl;
  return {
    pid: child.pid,
    info: { wsUrl: ready.wsUrl, controlUrl, rootPublicKey: ready.rootPublicKey },
    controlUrl,
    cpuSeconds: () => cpuSecondsOf(child.pid),
    /** When each message stanza from a linked device reached the simulator (ms since the epoch); clears the list. */
    async arrivals() {
      const reply = onceMessage(child, (message) => message.evt === 'arrivals', 10_000, 'the simulator arrivals');
      child.send({ cmd: 'arrivals' });
      return (await reply).arrivals;
    },
    async control(method, path, body) {
      const response = await fetch(`${controlUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
      const text = await response.text();
      if (!response.ok) throw new Error(`Simulator ${method} ${path} failed with ${response.status}: ${text}`);
      return text ? JSON.parse(text) : undefined;
    },
    async close() {
      child.send({ cmd: 'close' });
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

/** Starts a process for bare Baileys sockets (the baseline). */
export async function startBareProcess(simulator) {
  const child = fork(join(ROOT, 'bench/lib/bare-child.mjs'), [], {
    cwd: ROOT,
    env: { ...process.env, BENCH_SIMULATOR: JSON.stringify(simulator.info) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await onceMessage(child, (message) => message.evt === 'ready', 30_000, 'the bare Baileys process to start');
  let nextId = 0;
  const openedAt = new Map();
  child.on('message', (message) => {
    if (message.evt === 'open') openedAt.set(message.index, message.at);
    if (message.evt === 'error') process.stderr.write(`bare Baileys: ${message.message}\n`);
  });

  const call = async (cmd, args, timeoutMs = 60_000) => {
    const id = nextId++;
    const reply = onceMessage(child, (message) => message.evt === 'reply' && message.id === id, timeoutMs, `bare Baileys ${cmd}`);
    child.send({ id, cmd, args });
    const { result, error } = await reply;
    if (error) throw new Error(error);
    return result;
  };

  return {
    pid: child.pid,
    child,
    call,
    openedAt,
    /** Opens sockets on fresh folders and scans each QR with the simulator as `phones[i]`. */
    async link(dirs, phones, offset = 0) {
      const pending = new Set(dirs.map((_dir, i) => offset + i));
      const scanned = new Set();
      const listener = (message) => {
        if (message.evt !== 'qr' || scanned.has(message.index) || !pending.has(message.index)) return;
        scanned.add(message.index);
        simulator.control('POST', '/control/scan', { qr: message.qr, phoneNumber: phones[message.index - offset], pushName: 'Bench' }).catch((error) => {
          scanned.delete(message.index);
          process.stderr.write(`scan of bare socket ${message.index} failed: ${error.message}\n`);
        });
      };
      child.on('message', listener);
      await call('open', { dirs, offset });
      await waitUntil(async () => ([...pending].every((index) => openedAt.has(index)) ? true : undefined), 60_000 + dirs.length * 3000, 'bare sockets to link', 100);
      child.off('message', listener);
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ id: -1, cmd: 'close' });
      await Promise.race([exited, sleep(5000).then(() => child.kill('SIGKILL'))]);
    },
  };
}

/** The compiled app as a child process, in sandbox mode against the benchmark's simulator. */
export class AppProcess {
  constructor(env, { inspect = false } = {}) {
    this.env = env;
    this.inspect = inspect;
    this.output = [];
  }

  async start() {
    const args = [];
    // --profile: every app is inspectable and times its queries (bench/lib/profiler.mjs).
    if (this.inspect || profiling.dir) args.push('--inspect=127.0.0.1:0');
    if (profiling.dir) args.push('--require', PROBE);
    args.push(join(BACKEND_DIR, 'dist/main.js'));
    this.startedAt = performance.now();
    const port = await freePort();
    this.child = spawn(process.execPath, args, { cwd: BACKEND_DIR, env: { PATH: process.env.PATH, ...this.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.pid = this.child.pid;
    let pending = '';
    const collect = (chunk) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) this.onLine(line);
    };
    this.child.stdout.on('data', collect);
    this.child.stderr.on('data', collect);
    // LOG_LEVEL=warn hides the "listening" line, so readiness is the first successful response of the health check.
    const url = `http://127.0.0.1:${port}`;
    await waitUntil(async () => {
      if (this.child.exitCode !== null) throw new Error(`The app exited with ${this.child.exitCode}:\n${this.output.slice(-30).join('\n')}`);
      const response = await fetch(`${url}/api/health`).catch(() => undefined);
      return response?.ok ? true : undefined;
    }, 60_000, 'the app to answer /api/health', 20);
    this.url = url;
    this.readyMs = performance.now() - this.startedAt;
  }

  onLine(line) {
    if (this.output.length > 2000) this.output.shift();
    this.output.push(line);
    if (line.startsWith('Debugger listening on ')) this.inspectorUrl = line.slice('Debugger listening on '.length).trim();
  }

  rss() {
    return rssOf(this.pid);
  }

  cpuSeconds() {
    return cpuSecondsOf(this.pid);
  }

  async stop() {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(30_000).then(() => child.kill('SIGKILL'))]);
  }
}

/** Environment for the app: its own database, data folder and the benchmark's simulator. */
export function appEnv({ databaseUrl, dataDir, simulator, extra = {} }) {
  return {
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    AUTH_SESSIONS_DIR: join(dataDir, 'auth_sessions'),
    JWT_SECRET: randomBytes(32).toString('hex'),
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    WHATSAPP_MODE: 'sandbox',
    SIMULATOR_URL: simulator.controlUrl,
    QR_TERMINAL: 'false',
    LOG_LEVEL: 'warn',
    BAILEYS_LOG_LEVEL: 'error',
    LOGIN_RATE_LIMIT: '100000',
    LOGIN_MAX_FAILURES: '100000',
    LOGIN_MAX_FAILURES_PER_ADDRESS: '100000',
    SEND_RATE_LIMIT: '100000',
    RESTORE_CONCURRENCY: '100',
    ...extra,
  };
}

// ---------------------------------------------------------------------------------------------
// App API

export class ApiClient {
  constructor(url, token) {
    this.url = url;
    this.token = token;
  }

  async request(method, path, body, expected = [200, 201, 202]) {
    const response = await fetch(`${this.url}/api${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    if (!expected.includes(response.status)) throw new Error(`${method} /api${path} returned ${response.status}: ${text.slice(0, 300)}`);
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  static async login(url, email = ADMIN_EMAIL, password = ADMIN_PASSWORD) {
    const client = new ApiClient(url);
    const { body } = await client.request('POST', '/auth/login', { email, password }, [200]);
    return new ApiClient(url, body.accessToken);
  }
}

/** Creates a session for the client's tenant and links it with the simulator's phone `phoneNumber`. */
export async function linkSession(api, simulator, phoneNumber, name = 'Bench') {
  const { body: session } = await api.request('POST', '/sessions', { name });
  await api.request('POST', `/sessions/${session.id}/connect`);
  const qr = await waitUntil(async () => {
    const response = await api.request('GET', `/sessions/${session.id}/qr`, undefined, [200, 404]);
    return response.status === 200 ? response.body.qr : undefined;
  }, 30_000, `the QR of session ${session.id}`, 100);
  await simulator.control('POST', '/control/scan', { qr, phoneNumber, pushName: name });
  await waitUntil(async () => ((await api.request('GET', `/sessions/${session.id}`)).body.status === 'connected' ? true : undefined), 60_000, `session ${session.id} to connect`, 200);
  return session.id;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Runs `task` over `items` with at most `limit` in flight. */
export async function mapLimit(items, limit, task) {
  const results = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await task(items[index], index);
      }
    }),
  );
  return results;
}
