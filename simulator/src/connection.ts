// One object per WebSocket: framing, the Noise handshake, binary-node encoding, and the primitives
// fault injection builds on (close codes, stream errors, silenced pings).
import type { WebSocket } from 'ws';
import type { Baileys, BinaryNode } from './baileys';
import type { LogFn } from './log';
import { NoiseServer, type KeyPair } from './noise';

export type ClientPayload = ReturnType<Baileys['proto']['ClientPayload']['decode']>;

export interface ConnectionHost {
  readonly wa: Baileys;
  readonly log: LogFn;
  onPayload(conn: Connection, payload: ClientPayload): Promise<void>;
  onStanza(conn: Connection, node: BinaryNode): Promise<void>;
  onClosed(conn: Connection): void;
}

/** Role of the client on this connection once the handshake is over. */
export type ConnectionRole =
  | { kind: 'handshake' }
  | { kind: 'registration'; registration: RegistrationData }
  | { kind: 'login'; phone: string; deviceId: number };

export interface RegistrationData {
  registrationId: number;
  identityPublic: Buffer;
  signedPreKey: { id: number; public: Buffer; signature: Buffer };
  platform: string;
  refs: QrRef[];
  /** Time the client acknowledged pair-device, which is when it showed the first QR. */
  shownAt?: number;
  /** Set while a scan is in progress so two scans cannot link the same companion twice. */
  pairing?: boolean;
  /**
   * Set by the `refresh-qr-refs` fault: the server retired the registration material behind every
   * ref issued before this time, so the phone can no longer link with those QRs.
   */
  refreshedAt?: number;
  /** The companion's pending pairing-code request (companion_hello), if any. */
  linkCode?: PendingLinkCode;
}

export interface PendingLinkCode {
  /** Phone number digits the companion asked to link to. */
  phone: string;
  /** Ref the server handed out in its reply to companion_hello. */
  ref: string;
  /** salt (32) | iv (16) | AES-CTR(companion ephemeral public key) under the code-derived key. */
  wrappedCompanionEphemeral: Buffer;
  platformId: string;
  platformDisplay: string;
  /** Set while the phone waits for companion_finish after sending primary_hello. */
  onFinish?: (iq: BinaryNode) => void;
}

export interface QrRef {
  ref: string;
  index: number;
}

let nextConnectionId = 1;

export class Connection {
  readonly id = nextConnectionId++;
  role: ConnectionRole = { kind: 'handshake' };
  /** True once a logged-in client has sent `passive active`, so live stanzas may be pushed. */
  ready = false;
  clientStaticPublic: Buffer | undefined;
  /** Fault hook: when set, keepalive pings get no reply. */
  pingsStopped = false;
  /** Fault hook: the network path is a black hole in both directions (see `stall`). */
  stalled = false;
  private readonly noise: NoiseServer;
  private stage: 'hello' | 'finish' | 'transport' = 'hello';
  private queue: Promise<void> = Promise.resolve();
  private readonly waiters = new Map<string, { resolve: (node: BinaryNode) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  private closed = false;
  private tagCounter = 0;

  constructor(
    private readonly ws: WebSocket,
    private readonly host: ConnectionHost,
    serverStatic: KeyPair,
    certChain: Uint8Array,
  ) {
    this.noise = new NoiseServer(host.wa, serverStatic, certChain);
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      // Frames are handled strictly in order; decoding binary nodes is asynchronous.
      this.queue = this.queue.then(() => this.onData(bytes)).catch(error => this.fail(error));
    });
    ws.on('close', () => this.onSocketClosed());
    ws.on('error', error => this.host.log('debug', 'websocket error', { conn: this.id, error: String(error) }));
  }

  get isOpen(): boolean {
    return !this.closed && this.ws.readyState === this.ws.OPEN;
  }

  get login(): { phone: string; deviceId: number } | undefined {
    return this.role.kind === 'login' ? this.role : undefined;
  }

  nextId(): string {
    return `sim-${this.id}-${++this.tagCounter}`;
  }

  private async onData(bytes: Buffer): Promise<void> {
    if (this.closed || this.stalled) return;
    for (const frame of this.noise.pushBytes(bytes)) {
      if (this.closed) return;
      if (this.stage === 'hello') {
        this.rawSend(this.noise.encodeFrame(this.noise.onClientHello(frame)));
        this.stage = 'finish';
      } else if (this.stage === 'finish') {
        const { clientStaticPublic, clientPayload } = this.noise.onClientFinish(frame);
        this.clientStaticPublic = clientStaticPublic;
        this.stage = 'transport';
        await this.host.onPayload(this, this.host.wa.proto.ClientPayload.decode(clientPayload));
      } else {
        const node = await this.host.wa.decodeBinaryNode(this.noise.decryptFrame(frame));
        await this.onNode(node);
      }
    }
  }

  private async onNode(node: BinaryNode): Promise<void> {
    const id = node.attrs.id;
    if (node.tag === 'iq' && (node.attrs.type === 'result' || node.attrs.type === 'error') && id && this.waiters.has(id)) {
      const waiter = this.waiters.get(id)!;
      this.waiters.delete(id);
      clearTimeout(waiter.timer);
      waiter.resolve(node);
      return;
    }
    try {
      await this.host.onStanza(this, node);
    } catch (error) {
      this.host.log('error', 'stanza handler failed', { conn: this.id, tag: node.tag, error: String((error as Error)?.stack ?? error) });
    }
  }

  private rawSend(frame: Buffer): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(frame);
  }

  send(node: BinaryNode): void {
    if (this.closed || this.stalled || this.stage !== 'transport') return;
    this.rawSend(this.noise.encodeFrame(this.host.wa.encodeBinaryNode(node)));
  }

  /** Sends a server-originated iq and waits for the client's result with the same id. */
  query(node: BinaryNode, timeoutMs: number): Promise<BinaryNode> {
    const id = (node.attrs.id ??= this.nextId());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        reject(new Error(`no reply to ${node.tag} ${id} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(id, { resolve, reject, timer });
      this.send(node);
    });
  }

  /** `<stream:error code=…>` with an optional child (conflict, …), then a normal close. */
  streamError(code?: string, child?: BinaryNode): void {
    const attrs: Record<string, string> = code ? { code } : {};
    this.send({ tag: 'stream:error', attrs, content: child ? [child] : undefined });
    this.close();
  }

  /** `<failure reason=…/>` during login, then close. */
  failure(reason: string): void {
    this.send({ tag: 'failure', attrs: { reason, location: 'sim' } });
    this.close();
  }

  /** Fault hook: keep the socket but stop answering keepalive pings. */
  stopPings(): void {
    this.pingsStopped = true;
  }

  /**
   * Fault hook: keep the TCP connection open but neither read nor write anything more, like a
   * dead network path. The connection stops being `ready`, so stanzas for the device queue up as
   * offline backlog instead of vanishing into it.
   */
  stall(): void {
    this.stalled = true;
    this.pingsStopped = true;
    this.ready = false;
  }

  /** Closes the WebSocket; without a code it is a normal close (Baileys reports 428). */
  close(code = 1000, reason = ''): void {
    if (this.closed) return;
    this.closed = true;
    this.ready = false;
    try {
      if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason);
    } catch {
      this.ws.terminate();
    }
    this.cleanup();
  }

  /** Drops the TCP connection without a close frame. */
  terminate(): void {
    this.closed = true;
    this.ready = false;
    this.ws.terminate();
    this.cleanup();
  }

  private fail(error: unknown): void {
    this.host.log('warn', 'connection failed', { conn: this.id, error: String((error as Error)?.message ?? error) });
    this.close();
  }

  private onSocketClosed(): void {
    this.closed = true;
    this.ready = false;
    this.cleanup();
  }

  private cleaned = false;

  private cleanup(): void {
    if (this.cleaned) return;
    this.cleaned = true;
    for (const waiter of this.waiters.values()) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error('connection closed'));
    }
    this.waiters.clear();
    this.host.onClosed(this);
  }
}
