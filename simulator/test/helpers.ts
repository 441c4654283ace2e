// Test helpers: drive real, unmodified Baileys against the simulator over loopback.
import type * as BaileysModule from '@whiskeysockets/baileys';
import type { AuthenticationCreds, SignalDataSet, SignalDataTypeMap, WASocket } from '@whiskeysockets/baileys';

export type Baileys = typeof BaileysModule;

export const loadBaileys = () => import('@whiskeysockets/baileys') as Promise<Baileys>;

const silentLogger = {
  level: 'silent',
  child() {
    return silentLogger;
  },
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** An in-memory auth state that survives across sockets, like an app's persisted credentials. */
export interface MemoryAuth {
  creds: AuthenticationCreds;
  keys: {
    get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]): Promise<{ [id: string]: SignalDataTypeMap[T] }>;
    set(data: SignalDataSet): Promise<void>;
  };
  /** Drops every stored key of one type, to simulate an app that lost part of its state. */
  clear(type: keyof SignalDataTypeMap): void;
}

export function memoryAuth(wa: Baileys): MemoryAuth {
  const data: Record<string, Record<string, unknown>> = {};
  return {
    clear(type) {
      delete data[type];
    },
    creds: wa.initAuthCreds(),
    keys: {
      async get(type, ids) {
        const out: Record<string, never> = {};
        for (const id of ids) if (data[type]?.[id] !== undefined) out[id] = data[type][id] as never;
        return out;
      },
      async set(update) {
        for (const [type, entries] of Object.entries(update)) {
          data[type] ??= {};
          for (const [id, value] of Object.entries(entries ?? {})) {
            if (value === null || value === undefined) delete data[type][id];
            else data[type][id] = value;
          }
        }
      },
    },
  };
}

type Recorded = { event: string; data: any };

/** One Baileys socket plus a record of its events that tests can wait on. */
export class TestClient {
  readonly events: Recorded[] = [];
  /** Tag and attributes of every stanza the socket received, to count deliveries on the wire. */
  readonly received: Array<{ tag: string; attrs: Record<string, string> }> = [];
  private listeners: Array<() => void> = [];
  closed = false;

  constructor(readonly sock: WASocket) {
    sock.ws.on('frame', (frame: { tag: string; attrs: Record<string, string> }) => this.received.push({ tag: frame.tag, attrs: frame.attrs }));
    const record = (event: string) => (data: unknown) => {
      this.events.push({ event, data });
      if (event === 'connection.update' && (data as { connection?: string }).connection === 'close') this.closed = true;
      for (const listener of [...this.listeners]) listener();
    };
    for (const event of ['connection.update', 'creds.update', 'messages.upsert', 'messages.update', 'messaging-history.set'] as const) {
      sock.ev.on(event, record(event) as never);
    }
  }

  /** Resolves with the first recorded (or future) event of that kind matching the predicate. */
  waitFor<T = any>(event: string, predicate: (data: any) => boolean, timeoutMs = 10_000, label = event): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = this.events.find(e => e.event === event && predicate(e.data));
        if (hit) {
          cleanup();
          resolve(hit.data as T);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${label}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.listeners = this.listeners.filter(l => l !== check);
      };
      this.listeners.push(check);
      check();
    });
  }

  qrs(): string[] {
    return this.events.filter(e => e.event === 'connection.update' && e.data.qr).map(e => e.data.qr as string);
  }

  waitForClose(timeoutMs = 10_000): Promise<number | undefined> {
    return this.waitForCloseError(timeoutMs).then(error => error?.output?.statusCode as number | undefined);
  }

  /** The Boom error Baileys closed with (`lastDisconnect.error`). */
  waitForCloseError(timeoutMs = 10_000): Promise<any> {
    return this.waitFor('connection.update', d => d.connection === 'close', timeoutMs, 'close').then(d => d.lastDisconnect?.error);
  }

  waitForText(text: string, timeoutMs = 10_000): Promise<any> {
    return this.waitFor(
      'messages.upsert',
      d => d.messages.some((m: any) => (m.message?.conversation ?? m.message?.extendedTextMessage?.text) === text),
      timeoutMs,
      `upsert "${text}"`,
    ).then(d => d.messages.find((m: any) => (m.message?.conversation ?? m.message?.extendedTextMessage?.text) === text));
  }

  async end(): Promise<void> {
    if (!this.closed) await this.sock.end(undefined);
    this.sock.ev.removeAllListeners(undefined as never);
    this.listeners = [];
  }
}

/** `config` overrides the socket options below, e.g. a short keepAliveIntervalMs for stall tests. */
export function connect(wa: Baileys, wsUrl: string, auth: MemoryAuth, qrTimeout = 1_000, config: Record<string, unknown> = {}): TestClient {
  const sock = wa.makeWASocket({
    waWebSocketUrl: wsUrl,
    auth: auth as never,
    logger: silentLogger as never,
    qrTimeout,
    connectTimeoutMs: 8_000,
    defaultQueryTimeoutMs: 8_000,
    keepAliveIntervalMs: 10_000,
    shouldSyncHistoryMessage: () => false,
    ...config,
  });
  return new TestClient(sock);
}

export async function api<T = any>(baseUrl: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000, label = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}

/** Links a fresh auth state to `phoneNumber` and returns the logged-in client; `config` goes to the logged-in socket. */
export async function linkAndLogin(
  wa: Baileys,
  sim: { wsUrl: string; controlUrl: string },
  auth: MemoryAuth,
  phoneNumber: string,
  pushName = 'Charla Test',
  config: Record<string, unknown> = {},
) {
  const pairing = connect(wa, sim.wsUrl, auth);
  const qr = await pairing.waitFor('connection.update', d => !!d.qr, 10_000, 'qr').then(d => d.qr as string);
  const scan = await api(sim.controlUrl, 'POST', '/control/scan', { qr, phoneNumber, pushName });
  if (scan.status !== 200) throw new Error(`scan failed: ${JSON.stringify(scan.body)}`);
  const code = await pairing.waitForClose();
  await pairing.end();
  if (code !== 515) throw new Error(`expected 515 after pairing, got ${code}`);
  const client = connect(wa, sim.wsUrl, auth, undefined, config);
  await client.waitFor('connection.update', d => d.connection === 'open', 10_000, 'open');
  return { client, scan: scan.body as { phoneNumber: string; jid: string; lid: string } };
}
