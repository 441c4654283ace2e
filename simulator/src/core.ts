// The simulator's hub: owns the connections, the directory and the state, and routes each
// connection's payload and stanzas to the handlers for login, iqs and messages.
import { randomBytes } from 'node:crypto';
import type { Baileys, BinaryNode } from './baileys';
import type { ClientPayload, Connection, ConnectionHost } from './connection';
import { Directory } from './directory';
import { FaultRegistry } from './faults';
import { handleIq } from './iq-handlers';
import type { SentMedia } from './contact-media';
import type { LogFn } from './log';
import type { MediaHost } from './media-host';
import { handleMessage, handleReceipt } from './messaging';
import { node, S_WHATSAPP_NET, unixNow } from './nodes';
import type { AccountState, DeviceState, StateStore } from './state-store';

export interface CoreOptions {
  qrRefCount: number;
  qrTimeoutMs?: number;
  /** The phone signs pair-success with a wrong key (see `SimulatorOptions.forgeAccountSignature`). */
  forgeAccountSignature: boolean;
}

/** How long the server waits for the client to acknowledge pair-device. */
const PAIR_DEVICE_ACK_TIMEOUT_MS = 25_000;

export class SimulatorCore implements ConnectionHost {
  readonly connections = new Set<Connection>();
  readonly directory: Directory;
  readonly faults = new FaultRegistry();
  /** The HTTPS media host; set by the server before any connection is accepted. */
  media!: MediaHost;
  /** Files contacts sent, by message id, for re-upload requests. In memory only. */
  readonly mediaSent = new Map<string, SentMedia>();
  /** Decrypted files contacts received, by message id, for `GET /control/media/:waMessageId`. In memory only. */
  readonly receivedFiles = new Map<string, Buffer>();

  constructor(
    readonly wa: Baileys,
    readonly store: StateStore,
    readonly log: LogFn,
    readonly options: CoreOptions,
  ) {
    this.directory = new Directory(wa, store, log);
  }

  onClosed(conn: Connection): void {
    this.connections.delete(conn);
    this.log('debug', 'connection closed', { conn: conn.id, role: conn.role.kind });
  }

  async onPayload(conn: Connection, payload: ClientPayload): Promise<void> {
    if (payload.username !== null && payload.username !== undefined && String(payload.username) !== '0') {
      this.onLogin(conn, String(payload.username), payload.device ?? 0);
    } else if (payload.devicePairingData) {
      this.onRegistration(conn, payload);
    } else {
      this.log('warn', 'client payload is neither login nor registration', { conn: conn.id });
      conn.failure('400');
    }
  }

  private onRegistration(conn: Connection, payload: ClientPayload): void {
    const data = payload.devicePairingData!;
    const registrationId = Buffer.from(data.eRegid ?? []).readUInt32BE(0);
    const refs = Array.from({ length: this.options.qrRefCount }, (_, index) => ({
      // Real refs look like `2@<base64>`. Commas would break the QR format, and base64 has none.
      ref: `2@${randomBytes(30).toString('base64')}`,
      index,
    }));
    conn.role = {
      kind: 'registration',
      registration: {
        registrationId,
        identityPublic: Buffer.from(data.eIdent ?? []),
        signedPreKey: {
          id: Buffer.from(data.eSkeyId ?? []).readUIntBE(0, 3),
          public: Buffer.from(data.eSkeyVal ?? []),
          signature: Buffer.from(data.eSkeySig ?? []),
        },
        platform: this.platformName(data.deviceProps),
        refs,
      },
    };
    this.log('info', 'companion registering, sending QR refs', { conn: conn.id, refs: refs.length });
    const registration = conn.role.registration;
    const request = node('iq', { from: S_WHATSAPP_NET, type: 'set', id: conn.nextId(), xmlns: 'md' }, [
      node(
        'pair-device',
        {},
        refs.map(r => node('ref', {}, Buffer.from(r.ref, 'utf8'))),
      ),
    ]);
    // Not awaited: the ack arrives through the same ordered frame queue this handler runs in.
    conn
      .query(request, PAIR_DEVICE_ACK_TIMEOUT_MS)
      .then(() => {
        registration.shownAt = Date.now();
      })
      .catch(error => this.log('debug', 'pair-device not acknowledged', { conn: conn.id, error: String(error) }));
  }

  private platformName(deviceProps: Uint8Array | null | undefined): string {
    try {
      const props = this.wa.proto.DeviceProps.decode(deviceProps ?? new Uint8Array());
      return props.os ?? 'unknown';
    } catch {
      return 'unknown';
    }
  }

  private onLogin(conn: Connection, phone: string, deviceId: number): void {
    const account = this.directory.account(phone);
    const device = account?.devices[String(deviceId)];
    if (!account || !device) {
      this.log('info', 'login refused: unknown or removed device', { conn: conn.id, phone: `+${phone}`, deviceId });
      conn.failure('401');
      return;
    }
    if (!conn.clientStaticPublic || Buffer.compare(conn.clientStaticPublic, Buffer.from(device.noisePublic)) !== 0) {
      this.log('warn', 'login refused: noise key differs from the one linked', { conn: conn.id, phone: `+${phone}`, deviceId });
      conn.failure('401');
      return;
    }
    if (this.faults.has(phone, deviceId, 'forbidden')) {
      this.log('info', 'login refused: forbidden fault', { conn: conn.id, phone: `+${phone}`, deviceId });
      conn.failure('403');
      return;
    }
    for (const other of this.connections) {
      if (other !== conn && other.login?.phone === phone && other.login.deviceId === deviceId) {
        this.log('info', 'device logged in again, replacing older connection', { old: other.id, conn: conn.id });
        other.streamError(undefined, node('conflict', { type: 'replaced' }));
      }
    }
    conn.role = { kind: 'login', phone, deviceId };
    conn.send(
      node('success', {
        t: unixNow(),
        lid: this.directory.deviceLid(account, deviceId),
        location: 'sim',
        creation: String(account.createdAt),
      }),
    );
    this.log('info', 'device logged in', { conn: conn.id, phone: `+${phone}`, deviceId });
  }

  async onStanza(conn: Connection, stanza: BinaryNode): Promise<void> {
    switch (stanza.tag) {
      case 'iq':
        return handleIq(this, conn, stanza);
      case 'message':
        return handleMessage(this, conn, stanza);
      case 'receipt':
        return handleReceipt(this, conn, stanza);
      case 'ack':
      case 'ib':
      case 'presence':
      case 'chatstate':
        return;
      case 'notification':
        conn.send(node('ack', { class: 'notification', id: stanza.attrs.id, from: stanza.attrs.to, type: stanza.attrs.type }));
        return;
      default:
        this.log('debug', 'unhandled stanza', { conn: conn.id, tag: stanza.tag });
    }
  }

  /** Returns the logged-in, ready connection of a device, if any. */
  liveConnection(phone: string, deviceId: number): Connection | undefined {
    for (const conn of this.connections) {
      if (conn.ready && conn.isOpen && conn.login?.phone === phone && conn.login.deviceId === deviceId) return conn;
    }
    return undefined;
  }

  /**
   * Sends a stanza to a device now, or keeps it for the device's next login. Contact messages stay
   * pending until the device acknowledges them with a receipt, as WhatsApp's server does, so a
   * message that was on the wire when the connection died is delivered again at the next login.
   */
  deliver(account: AccountState, device: DeviceState, stanza: BinaryNode): 'sent' | 'queued' {
    const conn = this.liveConnection(account.phone, device.id);
    const awaitsReceipt = stanza.tag === 'message';
    if (awaitsReceipt || !conn) {
      device.pending.push(stanza);
      this.directory.changed();
    }
    if (!conn) return 'queued';
    conn.send(stanza);
    return 'sent';
  }

  /** Drops the pending copies of messages the device confirmed with a receipt. */
  acknowledge(phone: string, deviceId: number, messageIds: string[]): void {
    const device = this.directory.account(phone)?.devices[String(deviceId)];
    if (!device || messageIds.length === 0) return;
    const confirmed = new Set(messageIds);
    const before = device.pending.length;
    device.pending = device.pending.filter(stanza => !(stanza.tag === 'message' && confirmed.has(stanza.attrs.id)));
    if (device.pending.length !== before) this.directory.changed();
  }

  /** Pushes the offline backlog, then the `<offline count>` marker that ends Baileys' initial buffer. */
  flushBacklog(conn: Connection): void {
    const login = conn.login;
    const device = login && this.directory.account(login.phone)?.devices[String(login.deviceId)];
    const pending = device ? [...device.pending] : [];
    if (device) {
      // Messages stay pending until their receipt; other stanzas go out once.
      device.pending = device.pending.filter(stanza => stanza.tag === 'message');
      if (pending.length) this.directory.changed();
    }
    for (const stanza of pending) {
      // Replayed stanzas carry `offline`, so Baileys upserts those messages as `append`.
      conn.send({ ...stanza, attrs: { ...stanza.attrs, offline: '1' } });
    }
    // The `silence` fault leaves out the marker once, so Baileys never flushes its initial buffer.
    const silenced = login ? this.faults.take(login.phone, login.deviceId, 'silence') : false;
    if (!silenced) conn.send(node('ib', { from: S_WHATSAPP_NET }, [node('offline', { count: String(pending.length) })]));
    conn.ready = true;
    this.log('debug', 'offline backlog delivered', { conn: conn.id, count: pending.length, marker: !silenced });
  }

  close(): void {
    for (const conn of [...this.connections]) conn.close();
    this.directory.close();
  }
}
