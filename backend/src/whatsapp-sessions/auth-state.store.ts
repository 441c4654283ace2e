import type { AuthenticationCreds, AuthenticationState, SignalDataSet, SignalDataTypeMap } from '@whiskeysockets/baileys';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { chmod, mkdir, open, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { BAILEYS, type Baileys } from './baileys.provider';

const SESSION_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CREDS_FILE = 'creds.json';

/** The credentials of one session, opened for a socket. */
export interface SessionAuthState {
  state: AuthenticationState;
  /** True once a phone linked this device (the credentials name an account). */
  isLinked(): boolean;
  saveCreds(): Promise<void>;
  /** Resolves when every write queued so far is on disk. */
  flush(): Promise<void>;
}

/**
 * Storage of Baileys credentials and Signal keys. The provider in `auth-state-store.provider.ts`
 * picks the implementation from AUTH_STATE_STORE, so callers never know which one they have.
 */
export abstract class AuthStateStore {
  /** Opens the session's stored credentials, or new ones when it has none. Rejects with AuthCorruptError when they are unreadable. */
  abstract open(sessionId: string): Promise<SessionAuthState>;
  abstract hasCredentials(sessionId: string): Promise<boolean>;
  /** Waits for the pending writes, then deletes the session's credentials and keys in one step. */
  abstract remove(sessionId: string): Promise<void>;
  abstract flush(sessionId: string): Promise<void>;
  abstract flushAll(): Promise<void>;
  /** Returns the number of stored records per type (`creds` and each Signal key type), to watch their growth. */
  abstract countKeys(sessionId: string): Promise<Record<string, number>>;
}

/** True once a phone linked this device. `account` is written only by a pair-success; a pairing-code request sets `me` before that. */
export function credsAreLinked(creds: AuthenticationCreds): boolean {
  return Boolean(creds.me?.id && creds.account);
}

/** The stored credentials cannot be read, so they were moved aside to `movedTo`. */
export class AuthCorruptError extends Error {
  constructor(
    readonly sessionId: string,
    readonly movedTo: string,
    cause: unknown,
  ) {
    super(`The stored WhatsApp credentials of session ${sessionId} are unreadable and were moved to ${movedTo}`, { cause });
    this.name = 'AuthCorruptError';
  }
}

/**
 * Baileys credentials and Signal keys as files under `AUTH_SESSIONS_DIR/<sessionId>/` (folders 0700,
 * files 0600). Writes are atomic (temporary file, fsync, rename) and serialized per session, so a
 * burst of `creds.update` events or a crash never leaves a half-written file behind.
 */
@Injectable()
export class FileAuthStateStore implements AuthStateStore {
  private readonly logger = new Logger(FileAuthStateStore.name);
  private readonly queues = new Map<string, Promise<void>>();
  /** Sessions whose folder is being or was deleted; a socket still closing must not write it back. */
  private readonly removed = new Set<string>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(BAILEYS) private readonly baileys: Baileys,
  ) {}

  folderOf(sessionId: string): string {
    if (!SESSION_ID_PATTERN.test(sessionId)) throw new Error(`Refusing to use "${sessionId.slice(0, 64)}" as a session folder name: it is not a UUID`);
    return join(this.config.paths.authSessionsDir, sessionId);
  }

  async hasCredentials(sessionId: string): Promise<boolean> {
    return existsSync(join(this.folderOf(sessionId), CREDS_FILE));
  }

  async open(sessionId: string): Promise<SessionAuthState> {
    const folder = this.folderOf(sessionId);
    this.removed.delete(sessionId);
    await mkdir(folder, { recursive: true, mode: 0o700 });
    await chmod(folder, 0o700);

    const creds = (await this.readCreds(sessionId, folder)) ?? (await this.freshCreds(folder));
    this.logger.log({ sessionId, keys: await this.countKeys(sessionId) }, 'Opened stored WhatsApp credentials');
    const cache = new Map<string, unknown>();
    const { BufferJSON, proto } = this.baileys;

    const keys = {
      get: async <T extends keyof SignalDataTypeMap>(type: T, ids: string[]) => {
        const result: { [id: string]: SignalDataTypeMap[T] } = {};
        for (const id of ids) {
          const name = keyFileName(type, id);
          if (!cache.has(name)) cache.set(name, await this.readJson(join(folder, name)));

          let value = cache.get(name) as SignalDataTypeMap[T] | null | undefined;
          if (type === 'app-state-sync-key' && value) {
            value = proto.Message.AppStateSyncKeyData.fromObject(value as object) as unknown as SignalDataTypeMap[T];
          }
          if (value !== null && value !== undefined) result[id] = value;
        }
        return result;
      },
      set: async (data: SignalDataSet) => {
        const writes: Promise<void>[] = [];
        for (const type of Object.keys(data) as (keyof SignalDataSet)[]) {
          for (const [id, value] of Object.entries(data[type] ?? {})) {
            const name = keyFileName(type, id);
            cache.set(name, value ?? null);
            writes.push(value ? this.enqueueWrite(sessionId, join(folder, name), JSON.stringify(value, BufferJSON.replacer)) : this.enqueueDelete(sessionId, join(folder, name)));
          }
        }
        await Promise.all(writes);
      },
    };

    return {
      state: { creds, keys },
      isLinked: () => credsAreLinked(creds),
      saveCreds: () => this.enqueueWrite(sessionId, join(folder, CREDS_FILE), JSON.stringify(creds, BufferJSON.replacer)),
      flush: () => this.flush(sessionId),
    };
  }

  /** Waits for the pending writes, then deletes the whole folder in one step. */
  async remove(sessionId: string): Promise<void> {
    const folder = this.folderOf(sessionId);
    this.removed.add(sessionId);
    await this.flush(sessionId);
    await rm(folder, { recursive: true, force: true });
  }

  async flush(sessionId: string): Promise<void> {
    await this.queues.get(sessionId);
  }

  async flushAll(): Promise<void> {
    await Promise.all([...this.queues.values()]);
  }

  async countKeys(sessionId: string): Promise<Record<string, number>> {
    const folder = this.folderOf(sessionId);
    const names = existsSync(folder) ? await readdir(folder) : [];
    const counts: Record<string, number> = {};
    for (const name of names.filter((entry) => entry.endsWith('.json'))) {
      const type = name === CREDS_FILE ? 'creds' : keyTypeOfFileName(name);
      counts[type] = (counts[type] ?? 0) + 1;
    }
    return counts;
  }

  private async readCreds(sessionId: string, folder: string): Promise<AuthenticationCreds | undefined> {
    const path = join(folder, CREDS_FILE);
    if (!existsSync(path)) return undefined;

    try {
      const text = await readFile(path, 'utf8');
      const creds = JSON.parse(text, this.baileys.BufferJSON.reviver) as AuthenticationCreds;
      if (!creds?.noiseKey?.private || !creds.signedIdentityKey?.private) throw new Error('creds.json lacks its key pairs');
      return creds;
    } catch (error) {
      const movedTo = `${path}.corrupt-${Date.now()}`;
      await rename(path, movedTo);
      this.logger.error({ sessionId, movedTo, reason: (error as Error).message }, 'Stored credentials are unreadable; moved them aside and refused to create new ones');
      throw new AuthCorruptError(sessionId, movedTo, error);
    }
  }

  /** New credentials for a new pairing; Signal keys left from an earlier identity are removed first. */
  private async freshCreds(folder: string): Promise<AuthenticationCreds> {
    const leftovers = (await readdir(folder)).filter((name) => name.endsWith('.json'));
    await Promise.all(leftovers.map((name) => unlink(join(folder, name))));
    return this.baileys.initAuthCreds();
  }

  private async readJson(path: string): Promise<unknown> {
    try {
      return JSON.parse(await readFile(path, 'utf8'), this.baileys.BufferJSON.reviver);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.logger.warn({ path, reason: (error as Error).message }, 'Unreadable Signal key file; treating it as missing');
      return null;
    }
  }

  private enqueueWrite(sessionId: string, path: string, content: string): Promise<void> {
    return this.enqueue(sessionId, () => writeAtomically(path, content));
  }

  private enqueueDelete(sessionId: string, path: string): Promise<void> {
    return this.enqueue(sessionId, () => unlink(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    }));
  }

  private enqueue(sessionId: string, task: () => Promise<void>): Promise<void> {
    // Writes that arrive after a removal started would recreate the folder while it is deleted.
    if (this.removed.has(sessionId)) return Promise.resolve();
    const previous = this.queues.get(sessionId) ?? Promise.resolve();
    const next = previous.then(task);
    // The queue itself never rejects, so one failed write does not block the later ones.
    const settled = next.catch((error: Error) => this.logger.error({ sessionId, reason: error.message }, 'Failed to write session credentials'));
    this.queues.set(sessionId, settled);
    void settled.then(() => {
      if (this.queues.get(sessionId) === settled) this.queues.delete(sessionId);
    });
    return next;
  }
}

// Longest first, because some type names start with another one (`sender-key-memory`, `sender-key`).
const SIGNAL_KEY_TYPES: (keyof SignalDataTypeMap)[] = [
  'app-state-sync-version',
  'app-state-sync-key',
  'sender-key-memory',
  'identity-key',
  'device-list',
  'lid-mapping',
  'sender-key',
  'pre-key',
  'session',
  'tctoken',
];

function keyTypeOfFileName(name: string): string {
  return SIGNAL_KEY_TYPES.find((type) => name.startsWith(`${type}-`)) ?? 'unknown';
}

/** File name of one key; every character outside a safe set is percent-encoded, so no id can name a path. */
function keyFileName(type: string, id: string): string {
  const safeId = id.replace(/[^A-Za-z0-9@._-]/g, (character) => `%${character.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `${type}-${safeId}.json`;
}

async function writeAtomically(path: string, content: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
}
