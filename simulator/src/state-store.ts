// Everything the simulator must remember across restarts lives in one JSON document: server keys,
// linked devices with their uploaded bundles, phone accounts, virtual contacts with their Signal
// stores, inboxes and undelivered stanzas. Buffers are encoded with Baileys' BufferJSON.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { writeFile, rename, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Baileys, BinaryNode } from './baileys';
import type { KeyPair } from './noise';
import type { LogFn } from './log';

export interface SignedPreKeyState {
  keyPair: KeyPair;
  signature: Uint8Array;
  keyId: number;
}

/** A simulated Signal client (a phone's device 0 or a virtual contact). */
export interface PeerState {
  creds: { signedIdentityKey: KeyPair; signedPreKey: SignedPreKeyState; registrationId: number };
  /** Baileys' key-store layout: type -> id -> value. */
  keys: Record<string, Record<string, unknown>>;
  nextPreKeyId: number;
  /** One-time prekeys published but not yet handed out in a bundle. */
  freePreKeyIds: number[];
}

export interface DeviceState {
  id: number;
  keyIndex: number;
  noisePublic: Uint8Array;
  identityPublic: Uint8Array;
  registrationId: number;
  signedPreKey: { id: number; public: Uint8Array; signature: Uint8Array };
  /** One-time prekeys the companion uploaded that no bundle fetch has used yet, by id. */
  preKeys: Record<string, Uint8Array>;
  platform: string;
  linkedAt: number;
  /** Stanzas waiting for the device's next login (offline backlog). */
  pending: BinaryNode[];
}

export interface AccountState {
  phone: string;
  lid: string;
  pushName?: string;
  createdAt: number;
  /** Random id that ties the account's ADV device identities and key-index lists together. */
  advRawId: number;
  nextDeviceId: number;
  nextKeyIndex: number;
  peer: PeerState;
  devices: Record<string, DeviceState>;
}

export type InboxStatus = 'delivered' | 'read';

/** Inbox entry: one message a contact received, as `GET /control/inbox/:phone` returns it. */
export interface InboxItem {
  waMessageId: string;
  from: string;
  to: string;
  /** `text`, `location`, `liveLocation`, `contact`, `contacts`, `reaction`, `poll`, `pollVote`, `edit`, `delete`, `buttonReply`, `listReply`, `image`, `video`, `audio`, `document`, `sticker` or `other`. */
  type: string;
  /** The text of a text message (or of an edit); absent for other types. */
  content?: string;
  /** Decoded proto fields for non-text types. */
  message?: Record<string, unknown>;
  /** The message this one replies to (contextInfo.stanzaId / participant / quotedMessage). */
  quoted?: { waMessageId: string; participant?: string; type?: string; content?: string; message?: Record<string, unknown> };
  /** Set on an earlier item when the account edited or deleted it. */
  edited?: boolean;
  deleted?: boolean;
  /** A media message's file as the contact decrypted it; `GET /control/media/:waMessageId` returns the bytes. */
  media?: ReceivedMedia;
  timestamp: string;
  status: InboxStatus;
}

export interface ReceivedMedia {
  mimeType: string;
  size: number;
  /** SHA-256 (hex) of the decrypted file. */
  sha256: string;
  fileName?: string;
  ptt?: boolean;
  seconds?: number;
  /** Set instead of the other checks when the file could not be downloaded or decrypted. */
  error?: string;
}

/** One message exchanged between a contact and an account, kept so later messages can refer to it. */
export interface LoggedMessage {
  waMessageId: string;
  /** The account's phone digits. */
  account: string;
  /** True when the contact sent it, false when the contact received it. */
  fromContact: boolean;
  /** proto.Message, encoded, base64. */
  message: string;
  /** Unix seconds when the account sent a read receipt for this contact message. */
  readAt?: number;
}

export interface ContactState {
  phone: string;
  lid: string;
  pushName?: string;
  peer: PeerState;
  inbox: InboxItem[];
  /** Account phones this contact has messaged; an account under `restrict` may only answer these. */
  wroteTo?: string[];
  /** Recent messages in both directions, oldest first, for replyTo, edit, delete, reactions and votes. */
  messages?: LoggedMessage[];
}

export interface SimState {
  version: 1;
  rootKey: KeyPair;
  intermediateKey: KeyPair;
  serverStatic: KeyPair;
  accounts: Record<string, AccountState>;
  contacts: Record<string, ContactState>;
}

const FILE_NAME = 'simulator-state.json';
const SAVE_DELAY_MS = 50;

export class StateStore {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;
  private closed = false;

  private constructor(
    private readonly wa: Baileys,
    readonly state: SimState,
    private readonly dir: string | undefined,
    private readonly log: LogFn,
  ) {}

  static open(wa: Baileys, dir: string | undefined, log: LogFn): StateStore {
    if (dir) {
      mkdirSync(dir, { recursive: true });
      let raw: string | undefined;
      try {
        raw = readFileSync(join(dir, FILE_NAME), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      if (raw !== undefined) {
        // A corrupt file must stop the start instead of silently minting a new root key,
        // which would break every app that pinned the old one.
        const state = JSON.parse(raw, wa.BufferJSON.reviver) as SimState;
        if (state.version !== 1) throw new Error(`unsupported simulator state version ${String(state.version)}`);
        log('info', 'simulator state loaded', { dir, accounts: Object.keys(state.accounts).length });
        return new StateStore(wa, state, dir, log);
      }
    }
    const { Curve } = wa;
    const state: SimState = {
      version: 1,
      rootKey: Curve.generateKeyPair(),
      intermediateKey: Curve.generateKeyPair(),
      serverStatic: Curve.generateKeyPair(),
      accounts: {},
      contacts: {},
    };
    const store = new StateStore(wa, state, dir, log);
    if (dir) store.saveNow();
    return store;
  }

  /** Schedules a write; bursts of changes coalesce into one. */
  markDirty(): void {
    if (!this.dir || this.closed) return;
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, SAVE_DELAY_MS);
  }

  /** Writes pending changes; writes never overlap, and each goes through a temp file and a rename. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (!this.dir || !this.dirty) return this.writing;
    this.dirty = false;
    const dir = this.dir;
    const data = JSON.stringify(this.state, this.wa.BufferJSON.replacer);
    this.writing = this.writing.then(async () => {
      try {
        await mkdir(dir, { recursive: true });
        const tmp = join(dir, `${FILE_NAME}.tmp`);
        await writeFile(tmp, data);
        await rename(tmp, join(dir, FILE_NAME));
      } catch (error) {
        this.log('error', 'failed to save simulator state', { error: String(error) });
      }
    });
    return this.writing;
  }

  /** Final flush; later changes are not written, so no timer outlives the simulator. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  private saveNow(): void {
    if (!this.dir) return;
    const tmp = join(this.dir, `${FILE_NAME}.tmp`);
    writeFileSync(tmp, JSON.stringify(this.state, this.wa.BufferJSON.replacer));
    renameSync(tmp, join(this.dir, FILE_NAME));
  }
}
