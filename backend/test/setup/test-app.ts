import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { io, Socket } from 'socket.io-client';
import request from 'supertest';
import { RunningServer, startServer } from '../../src/bootstrap';
import { createTestDatabase, TestDatabase } from './test-database';

export const ADMIN_EMAIL = 'owner@charla.test';
export const ADMIN_PASSWORD = 'correct-horse-battery-staple';

/** Log lines written by the app during a test, for assertions about what logs may contain. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];

  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    callback();
  }

  text(): string {
    return this.lines.join('\n');
  }
}

export interface TestEnvironment {
  database: TestDatabase;
  dataDir: string;
  authSessionsDir: string;
  logs: LogCapture;
  env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

/** A database, data folder and credentials folder of its own, and the env that points the app at them. */
export async function createTestEnvironment(overrides: NodeJS.ProcessEnv = {}): Promise<TestEnvironment> {
  const database = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'charla-data-'));
  const authSessionsDir = join(dataDir, 'auth_sessions');
  const logs = new LogCapture();

  const env: NodeJS.ProcessEnv = {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: database.url,
    DATA_DIR: dataDir,
    AUTH_SESSIONS_DIR: authSessionsDir,
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    WHATSAPP_MODE: 'sandbox',
    QR_TERMINAL: 'false',
    LOG_LEVEL: 'debug',
    BAILEYS_LOG_LEVEL: 'warn',
    RECONNECT_BASE_DELAY_MS: '200',
    RECONNECT_MAX_DELAY_MS: '2000',
    ...overrides,
  };

  return {
    database,
    dataDir,
    authSessionsDir,
    logs,
    env,
    cleanup: async () => {
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
      assertNoScopeViolations(logs);
    },
  };
}

const SCOPE_VIOLATION = /TenantScopeError|Tenant scope violation/;

/**
 * Fails the test file when the app logged a tenant scope violation. Background work (Baileys events,
 * queues, timers) logs its errors instead of returning them in a response, so a path that ran without its
 * tenant's scope would otherwise pass unnoticed.
 */
function assertNoScopeViolations(logs: LogCapture): void {
  const violations = logs.lines.filter((line) => SCOPE_VIOLATION.test(line));
  if (violations.length > 0) throw new Error(`The app logged ${violations.length} tenant scope violation(s):\n${violations.slice(0, 5).join('\n')}`);
}

export function startTestServer(environment: TestEnvironment, overrides: NodeJS.ProcessEnv = {}): Promise<RunningServer> {
  return startServer({ env: { ...environment.env, ...overrides }, logDestination: environment.logs });
}

export async function login(server: RunningServer, email = ADMIN_EMAIL, password = ADMIN_PASSWORD): Promise<string> {
  const response = await request(server.url).post('/api/auth/login').send({ email, password }).expect(200);
  return response.body.accessToken as string;
}

/** A Socket.IO client that records every event it receives. */
export class FeedClient {
  readonly events: { event: string; payload: any }[] = [];
  readonly socket: Socket;

  constructor(url: string, token: string | undefined) {
    this.socket = io(url, { auth: token ? { token } : {}, transports: ['websocket'], reconnection: false, forceNew: true });
    this.socket.onAny((event: string, payload: unknown) => this.events.push({ event, payload }));
  }

  connected(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.socket.connected) return resolve();
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', (error) => reject(error));
    });
  }

  /** Resolves with the first event (already received or future) that matches. */
  waitFor<T = any>(event: string, predicate: (payload: T) => boolean = () => true, timeoutMs = 20_000): Promise<T> {
    const seen = this.events.find((entry) => entry.event === event && predicate(entry.payload));
    if (seen) return Promise.resolve(seen.payload);

    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.socket.off(event, listener);
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${event}; received: ${this.events.map((entry) => entry.event).join(', ')}`));
      }, timeoutMs);
      const listener = (payload: T) => {
        if (!predicate(payload)) return;
        clearTimeout(timer);
        this.socket.off(event, listener);
        resolve(payload);
      };
      this.socket.on(event, listener);
    });
  }

  close(): void {
    this.socket.close();
  }
}

/** Polls `check` until it returns a value other than undefined. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`Condition not met within ${timeoutMs} ms${lastError ? `: ${(lastError as Error).message}` : ''}`);
}
