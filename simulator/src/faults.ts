// Fault injection: each kind reproduces one way the real WhatsApp server ends or degrades a
// connection, so an app can be tested against the close code Baileys reports for it.
// Faults that outlive a connection (forbidden, silence, restrict, pairing-reject) are in-memory
// flags, kept until used up or cleared. They are not saved with the simulator state.
import type { Connection } from './connection';
import type { SimulatorCore } from './core';
import { e164, InvalidPhoneError, phoneDigits } from './directory';
import { node, S_WHATSAPP_NET, unixNow } from './nodes';
import { parseQr } from './pairing';
import type { AccountState } from './state-store';

export const FAULT_KINDS = [
  'drop',
  'stall',
  'bad-session',
  'downgrade',
  'forbidden',
  'logout',
  'conflict',
  'restart-required',
  'silence',
  'refresh-qr-refs',
  'restrict',
  'pairing-reject',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

/** Flags that stay on a device after the fault call returns. */
export type DeviceFlag = 'forbidden' | 'silence' | 'restrict';

export class FaultError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface FaultRequest {
  kind?: unknown;
  deviceJid?: unknown;
  phoneNumber?: unknown;
  qr?: unknown;
}

export interface FaultResult {
  kind: FaultKind;
  applied: true;
  /** Live connections the fault acted on. */
  connections: number;
  /** Linked devices the fault applies to, as `PHONE:DEV@s.whatsapp.net`. */
  devices: string[];
}

/** Baileys closes by itself on downgrade_webclient; this only cleans up if it does not. */
const DOWNGRADE_CLOSE_GRACE_MS = 3_000;
/** Bogus stream-error child: Baileys maps any tag it does not know to 500 (badSession). */
const UNKNOWN_STREAM_ERROR_CHILD = 'sim-bad-session';

const deviceKey = (phone: string, deviceId: number): string => `${phone}:${deviceId}`;

export class FaultRegistry {
  private readonly deviceFlags = new Map<string, Set<DeviceFlag>>();
  /** Phones whose next companion_hello is refused; '*' means any phone. */
  private readonly pairingRejects = new Set<string>();

  set(phone: string, deviceId: number, flag: DeviceFlag): void {
    const key = deviceKey(phone, deviceId);
    const flags = this.deviceFlags.get(key) ?? new Set<DeviceFlag>();
    flags.add(flag);
    this.deviceFlags.set(key, flags);
  }

  has(phone: string, deviceId: number, flag: DeviceFlag): boolean {
    return this.deviceFlags.get(deviceKey(phone, deviceId))?.has(flag) ?? false;
  }

  /** Returns whether the flag was set, and clears it: for one-shot faults. */
  take(phone: string, deviceId: number, flag: DeviceFlag): boolean {
    const flags = this.deviceFlags.get(deviceKey(phone, deviceId));
    if (!flags?.delete(flag)) return false;
    if (flags.size === 0) this.deviceFlags.delete(deviceKey(phone, deviceId));
    return true;
  }

  /** Clears the flags of one device, or of every device of `phone` when deviceId is undefined. */
  clear(phone: string, deviceId: number | undefined): DeviceFlag[] {
    const cleared = new Set<DeviceFlag>();
    for (const [key, flags] of [...this.deviceFlags]) {
      const [keyPhone, keyDevice] = key.split(':');
      if (keyPhone !== phone || (deviceId !== undefined && Number(keyDevice) !== deviceId)) continue;
      for (const flag of flags) cleared.add(flag);
      this.deviceFlags.delete(key);
    }
    return [...cleared];
  }

  rejectNextPairing(phone: string | undefined): void {
    this.pairingRejects.add(phone ?? '*');
  }

  /** True (once) if the next companion_hello for `phone` must be refused. */
  takePairingReject(phone: string): boolean {
    if (this.pairingRejects.delete(phone)) return true;
    return this.pairingRejects.delete('*');
  }

  clearPairingReject(phone: string): boolean {
    return this.pairingRejects.delete(phone);
  }
}

interface Target {
  /** Linked devices addressed by deviceJid or phoneNumber. */
  devices: Array<{ account: AccountState; deviceId: number }>;
  /** Open connections addressed by the target (logged-in devices, or the companion showing `qr`). */
  connections: Connection[];
  phone?: string;
  by: 'deviceJid' | 'phoneNumber' | 'qr' | 'none';
}

function targetPhone(value: unknown): string {
  try {
    return phoneDigits(value);
  } catch (error) {
    if (error instanceof InvalidPhoneError) throw new FaultError(400, 'INVALID_PHONE', `phoneNumber: ${error.message}`);
    throw error;
  }
}

/** Resolves exactly one of deviceJid, phoneNumber or qr; none at all is allowed only if `optional`. */
function resolveTarget(core: SimulatorCore, request: FaultRequest, optional = false): Target {
  const given = (['deviceJid', 'phoneNumber', 'qr'] as const).filter(field => request[field] !== undefined && request[field] !== null);
  if (given.length > 1) throw new FaultError(400, 'INVALID_TARGET', 'give only one of deviceJid, phoneNumber or qr');
  if (given.length === 0) {
    if (optional) return { devices: [], connections: [], by: 'none' };
    throw new FaultError(400, 'INVALID_TARGET', 'give one of deviceJid, phoneNumber or qr');
  }
  const open = [...core.connections].filter(conn => conn.isOpen);
  if (given[0] === 'deviceJid') {
    const decoded = typeof request.deviceJid === 'string' ? core.wa.jidDecode(request.deviceJid) : undefined;
    if (!decoded?.user || decoded.server !== 's.whatsapp.net' || !decoded.device) {
      throw new FaultError(400, 'INVALID_TARGET', 'deviceJid must look like PHONE:DEVICE@s.whatsapp.net');
    }
    const phone = decoded.user;
    const deviceId = decoded.device;
    const account = core.directory.account(phone);
    return {
      devices: account?.devices[String(deviceId)] ? [{ account, deviceId }] : [],
      connections: open.filter(conn => conn.login?.phone === phone && conn.login.deviceId === deviceId),
      phone,
      by: 'deviceJid',
    };
  }
  if (given[0] === 'phoneNumber') {
    const phone = targetPhone(request.phoneNumber);
    const account = core.directory.account(phone);
    return {
      devices: account ? Object.values(account.devices).map(device => ({ account, deviceId: device.id })) : [],
      connections: open.filter(conn => conn.login?.phone === phone),
      phone,
      by: 'phoneNumber',
    };
  }
  const parsed = parseQr(request.qr);
  if (!parsed) throw new FaultError(400, 'INVALID_QR', 'qr must be the QR string the companion shows');
  return {
    devices: [],
    connections: open.filter(conn => conn.role.kind === 'registration' && conn.role.registration.refs.some(r => r.ref === parsed.ref)),
    by: 'qr',
  };
}

function requireConnections(target: Target, kind: FaultKind): Connection[] {
  if (target.connections.length === 0) throw new FaultError(404, 'TARGET_NOT_FOUND', `no live connection matches the target of ${kind}`);
  return target.connections;
}

function requireDevices(target: Target, kind: FaultKind): Target['devices'] {
  if (target.by === 'qr') throw new FaultError(400, 'INVALID_TARGET', `${kind} applies to linked devices: give deviceJid or phoneNumber`);
  if (target.devices.length === 0) throw new FaultError(404, 'TARGET_NOT_FOUND', `no linked device matches the target of ${kind}`);
  return target.devices;
}

export function isFaultKind(value: unknown): value is FaultKind {
  return typeof value === 'string' && (FAULT_KINDS as readonly string[]).includes(value);
}

export function applyFault(core: SimulatorCore, request: FaultRequest): FaultResult {
  const { kind } = request;
  if (!isFaultKind(kind)) throw new FaultError(400, 'INVALID_FAULT', `kind must be one of ${FAULT_KINDS.join(', ')}`);
  const target = resolveTarget(core, request, kind === 'pairing-reject');
  let connections: Connection[] = [];
  let devices: Target['devices'] = [];

  switch (kind) {
    case 'drop':
      // A plain WebSocket close: Baileys reports 428 "Connection Terminated".
      connections = requireConnections(target, kind);
      for (const conn of connections) conn.close();
      break;
    case 'stall':
      // No ping gets a reply and nothing is delivered: Baileys gives up with 408 after keepAlive + 5 s.
      connections = requireConnections(target, kind);
      for (const conn of connections) conn.stall();
      break;
    case 'bad-session':
      connections = requireConnections(target, kind);
      for (const conn of connections) conn.streamError(undefined, node(UNKNOWN_STREAM_ERROR_CHILD));
      break;
    case 'downgrade':
      // Baileys ends the socket itself with 411 on this stanza (Socket/socket.js, CB:ib,,downgrade_webclient).
      connections = requireConnections(target, kind);
      for (const conn of connections) {
        conn.send(node('ib', { from: S_WHATSAPP_NET }, [node('downgrade_webclient')]));
        setTimeout(() => conn.close(), DOWNGRADE_CLOSE_GRACE_MS).unref();
      }
      break;
    case 'conflict':
      connections = requireConnections(target, kind);
      for (const conn of connections) conn.streamError(undefined, node('conflict', { type: 'replaced' }));
      break;
    case 'restart-required':
      connections = requireConnections(target, kind);
      for (const conn of connections) conn.streamError('515');
      break;
    case 'forbidden':
      devices = requireDevices(target, kind);
      for (const { account, deviceId } of devices) core.faults.set(account.phone, deviceId, 'forbidden');
      connections = target.connections;
      for (const conn of connections) conn.close();
      break;
    case 'silence':
      devices = requireDevices(target, kind);
      for (const { account, deviceId } of devices) core.faults.set(account.phone, deviceId, 'silence');
      connections = target.connections;
      for (const conn of connections) conn.close();
      break;
    case 'restrict':
      devices = requireDevices(target, kind);
      for (const { account, deviceId } of devices) core.faults.set(account.phone, deviceId, 'restrict');
      break;
    case 'logout':
      devices = requireDevices(target, kind);
      connections = target.connections;
      for (const { account, deviceId } of devices) removeDevice(core, account, deviceId);
      for (const conn of connections) conn.streamError('401', node('conflict', { type: 'device_removed' }));
      break;
    case 'refresh-qr-refs':
      if (target.by !== 'qr') throw new FaultError(400, 'INVALID_TARGET', 'refresh-qr-refs applies to an unlinked companion: give qr');
      connections = requireConnections(target, kind);
      for (const conn of connections) refreshRegistration(core, conn);
      break;
    case 'pairing-reject':
      if (target.by !== 'phoneNumber' && target.by !== 'none') {
        throw new FaultError(400, 'INVALID_TARGET', 'pairing-reject takes an optional phoneNumber only');
      }
      core.faults.rejectNextPairing(target.phone);
      break;
  }
  const deviceJids = devices.map(({ account, deviceId }) => core.directory.deviceJid(account, deviceId));
  core.log('info', 'fault injected', { kind, connections: connections.map(c => c.id), devices: deviceJids, phone: target.phone && e164(target.phone) });
  return { kind, applied: true, connections: connections.length, devices: deviceJids };
}

/** Lifts the flags of `forbidden`, `silence`, `restrict` and `pairing-reject` for a device or a whole phone. */
export function clearFaults(core: SimulatorCore, request: FaultRequest): { cleared: string[] } {
  if (request.qr !== undefined) throw new FaultError(400, 'INVALID_TARGET', 'give deviceJid or phoneNumber');
  const target = resolveTarget(core, request);
  const phone = target.phone!;
  let deviceId: number | undefined;
  if (target.by === 'deviceJid') deviceId = core.wa.jidDecode(request.deviceJid as string)!.device;
  const cleared: string[] = core.faults.clear(phone, deviceId);
  if (target.by === 'phoneNumber' && core.faults.clearPairingReject(phone)) cleared.push('pairing-reject');
  core.log('info', 'faults cleared', { phone: e164(phone), deviceId, cleared });
  return { cleared };
}

/** Removes the device with its backlog and flags, as when the phone unlinks it, so later logins get 401. */
function removeDevice(core: SimulatorCore, account: AccountState, deviceId: number): void {
  delete account.devices[String(deviceId)];
  core.faults.clear(account.phone, deviceId);
  core.directory.changed();
}

/**
 * Sends `companion_reg_refresh`, which retires the registration material (ADV secret) behind the
 * QRs the companion shows. WA Web expects a notification of that type with a child of the same name.
 * Baileys rc14 has no handler for it, fails to ack it (no `creds.me` yet) and keeps the stale QRs.
 * NOTE: a client that re-renders its QR with a new ADV secret still fails here, because every ref
 * it holds predates the refresh and the simulator sends no new refs.
 */
function refreshRegistration(core: SimulatorCore, conn: Connection): void {
  if (conn.role.kind !== 'registration') return;
  conn.role.registration.refreshedAt = Date.now();
  conn.send(
    node('notification', { from: S_WHATSAPP_NET, type: 'companion_reg_refresh', id: conn.nextId(), t: unixNow() }, [
      node('companion_reg_refresh'),
    ]),
  );
  core.log('debug', 'registration refreshed, older QRs retired', { conn: conn.id });
}
