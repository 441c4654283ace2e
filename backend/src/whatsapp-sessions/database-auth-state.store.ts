import type { AuthenticationCreds, SignalDataSet, SignalDataTypeMap, SignalKeyStore } from '@whiskeysockets/baileys';
import { EntityManager, type Knex } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DecryptionError, EncryptionContext, EncryptionKeyring, SealedValue } from '../common/encryption-keyring';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { AuthCorruptError, AuthStateStore, credsAreLinked, SessionAuthState } from './auth-state.store';
import { BAILEYS, type Baileys } from './baileys.provider';

const CREDS_TYPE = 'creds';
const CREDS_KEY_ID = '';
// Unreadable credentials are renamed to this type instead of being deleted, so they can be inspected
// or, after the right key is configured again, renamed back (their authenticated data still names `creds`).
const CORRUPT_CREDS_TYPE = 'creds-corrupt';
const ENCRYPTION_PURPOSE = 'whatsapp-auth-state';

/** One record to write: its sealed value, or null to delete it. */
interface RecordWrite {
  type: string;
  keyId: string;
  sealed: SealedValue | null;
}

interface StoredRow {
  type: string;
  key_id: string;
  ciphertext: Buffer;
  nonce: Buffer;
  key_version: string;
}

const UPSERT_SQL = `
  insert into whatsapp_auth_keys (session_id, type, key_id, ciphertext, nonce, key_version, updated_at)
  select ?::uuid, record.type, record.key_id, record.ciphertext, record.nonce, record.key_version, now()
  from unnest(?::text[], ?::text[], ?::bytea[], ?::bytea[], ?::text[]) as record (type, key_id, ciphertext, nonce, key_version)
  on conflict (session_id, type, key_id) do update
  set ciphertext = excluded.ciphertext, nonce = excluded.nonce, key_version = excluded.key_version, updated_at = excluded.updated_at`;

const DELETE_SQL = `
  delete from whatsapp_auth_keys stored
  using unnest(?::text[], ?::text[]) as record (type, key_id)
  where stored.session_id = ?::uuid and stored.type = record.type and stored.key_id = record.key_id`;

/**
 * Baileys credentials and Signal keys as rows of `whatsapp_auth_keys` (AUTH_STATE_STORE=database).
 * Every value is sealed with AES-256-GCM under ENCRYPTION_KEY, bound to its session, type and key
 * id, so a row copied to another session or name fails to decrypt. Writes are serialized per session
 * and each `keys.set` batch is one transaction, so a batch is stored whole or not at all.
 */
@Injectable()
export class DatabaseAuthStateStore implements AuthStateStore {
  private readonly logger = new Logger(DatabaseAuthStateStore.name);
  private readonly queues = new Map<string, Promise<void>>();
  /** Bumped by `remove`, so a handle opened before it cannot bring deleted credentials back. */
  private readonly generations = new Map<string, number>();
  private keyring?: EncryptionKeyring;

  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(BAILEYS) private readonly baileys: Baileys,
  ) {}

  async hasCredentials(sessionId: string): Promise<boolean> {
    await this.flush(sessionId);
    const rows = await this.select<{ found: number }>('select 1 as found from whatsapp_auth_keys where session_id = ? and type = ? and key_id = ?', [sessionId, CREDS_TYPE, CREDS_KEY_ID]);
    return rows.length > 0;
  }

  async open(sessionId: string): Promise<SessionAuthState> {
    const generation = this.generationOf(sessionId);
    await this.flush(sessionId);

    const creds = (await this.readCreds(sessionId)) ?? (await this.freshCreds(sessionId));
    await this.enqueue(sessionId, () => this.resealUnderCurrentKey(sessionId));
    this.logger.log({ sessionId, keys: await this.countKeys(sessionId) }, 'Opened stored WhatsApp credentials');

    const write = (records: RecordWrite[]) => this.enqueueWrite(sessionId, generation, records);
    const keys: SignalKeyStore = {
      get: (type, ids) => this.readKeys(sessionId, type, ids),
      set: (data) => write(this.sealKeys(sessionId, data)),
      clear: () => this.enqueue(sessionId, () => this.deleteSignalKeys(sessionId)),
    };

    return {
      state: { creds, keys },
      isLinked: () => credsAreLinked(creds),
      // Sealed now, so the write stores the credentials as they are at this call.
      saveCreds: () => write([this.sealRecord(sessionId, CREDS_TYPE, CREDS_KEY_ID, creds)]),
      flush: () => this.flush(sessionId),
    };
  }

  async remove(sessionId: string): Promise<void> {
    this.generations.set(sessionId, this.generationOf(sessionId) + 1);
    await this.flush(sessionId);
    await this.em.getKnex().raw('delete from whatsapp_auth_keys where session_id = ?', [sessionId]);
  }

  async flush(sessionId: string): Promise<void> {
    await this.queues.get(sessionId);
  }

  async flushAll(): Promise<void> {
    await Promise.all([...this.queues.values()]);
  }

  async countKeys(sessionId: string): Promise<Record<string, number>> {
    const rows = await this.select<{ type: string; count: number }>(
      'select type, count(*)::int as count from whatsapp_auth_keys where session_id = ? group by type order by type',
      [sessionId],
    );
    return Object.fromEntries(rows.map((row) => [row.type, row.count]));
  }

  /** Reads keys after every write queued before this call, so a reader sees the writes it made. */
  private async readKeys<T extends keyof SignalDataTypeMap>(sessionId: string, type: T, ids: string[]): Promise<{ [id: string]: SignalDataTypeMap[T] }> {
    const result: { [id: string]: SignalDataTypeMap[T] } = {};
    if (ids.length === 0) return result;
    await this.flush(sessionId);

    const rows = await this.select<StoredRow>(
      'select type, key_id, ciphertext, nonce, key_version from whatsapp_auth_keys where session_id = ? and type = ? and key_id = any(?::text[])',
      [sessionId, type, ids],
    );
    let unreadable = 0;
    for (const row of rows) {
      try {
        result[row.key_id] = this.openRecord(sessionId, row) as SignalDataTypeMap[T];
      } catch (error) {
        if (!(error instanceof DecryptionError || error instanceof SyntaxError)) throw error;
        unreadable += 1;
      }
    }
    // Like an unreadable key file in the file store: Baileys then negotiates a new Signal session.
    if (unreadable > 0) this.logger.warn({ sessionId, type, unreadable }, 'Stored Signal keys failed to decrypt, so they are treated as missing');
    return result;
  }

  private async readCreds(sessionId: string): Promise<AuthenticationCreds | undefined> {
    // A missing ENCRYPTION_KEY fails here, before the catch below could take it for corrupt credentials.
    this.currentKeyring();
    const [row] = await this.select<StoredRow>(
      'select type, key_id, ciphertext, nonce, key_version from whatsapp_auth_keys where session_id = ? and type = ? and key_id = ?',
      [sessionId, CREDS_TYPE, CREDS_KEY_ID],
    );
    if (!row) return undefined;

    try {
      const creds = this.openRecord(sessionId, row) as AuthenticationCreds;
      if (!creds?.noiseKey?.private || !creds.signedIdentityKey?.private) throw new Error('The stored credentials lack their key pairs');
      return creds;
    } catch (error) {
      const movedTo = await this.moveCredsAside(sessionId);
      this.logger.error({ sessionId, movedTo, reason: (error as Error).message }, 'Stored credentials are unreadable; moved them aside and refused to create new ones');
      throw new AuthCorruptError(sessionId, movedTo, error);
    }
  }

  private async moveCredsAside(sessionId: string): Promise<string> {
    const keyId = new Date().toISOString();
    await this.em.getKnex().raw(
      'update whatsapp_auth_keys set type = ?, key_id = ?, updated_at = now() where session_id = ? and type = ? and key_id = ?',
      [CORRUPT_CREDS_TYPE, keyId, sessionId, CREDS_TYPE, CREDS_KEY_ID],
    );
    return `whatsapp_auth_keys row (type ${CORRUPT_CREDS_TYPE}, key_id ${keyId})`;
  }

  /** Creates credentials for a new pairing, after deleting the Signal keys left from an earlier identity. */
  private async freshCreds(sessionId: string): Promise<AuthenticationCreds> {
    await this.enqueue(sessionId, () =>
      this.em.getKnex().raw('delete from whatsapp_auth_keys where session_id = ? and type <> ?', [sessionId, CORRUPT_CREDS_TYPE]).then(() => undefined),
    );
    return this.baileys.initAuthCreds();
  }

  private async deleteSignalKeys(sessionId: string): Promise<void> {
    await this.em.getKnex().raw('delete from whatsapp_auth_keys where session_id = ? and type not in (?, ?)', [sessionId, CREDS_TYPE, CORRUPT_CREDS_TYPE]);
  }

  /**
   * Seals again, under the current key, every record still sealed under a previous key, so that
   * ENCRYPTION_KEY_PREVIOUS can be dropped once every session has been opened after a rotation.
   */
  private async resealUnderCurrentKey(sessionId: string): Promise<void> {
    const keyring = this.currentKeyring();
    let unreadable = 0;
    const resealed = await this.inTransaction(sessionId, async (transaction) => {
      const { rows } = (await transaction.raw(
        'select type, key_id, ciphertext, nonce, key_version from whatsapp_auth_keys where session_id = ? and key_version <> ? and type <> ?',
        [sessionId, keyring.currentVersion, CORRUPT_CREDS_TYPE],
      )) as { rows: StoredRow[] };

      const records: RecordWrite[] = [];
      for (const row of rows) {
        const context = encryptionContext(sessionId, row.type, row.key_id);
        try {
          records.push({ type: row.type, keyId: row.key_id, sealed: keyring.encrypt(keyring.decrypt(sealedValueOf(row), context), context) });
        } catch (error) {
          if (!(error instanceof DecryptionError)) throw error;
          unreadable += 1;
        }
      }
      await writeRecords(transaction, sessionId, records);
      return records.length;
    });
    if (resealed > 0 || unreadable > 0) this.logger.log({ sessionId, resealed, unreadable }, 'Re-encrypted stored credentials under the current ENCRYPTION_KEY');
  }

  private sealKeys(sessionId: string, data: SignalDataSet): RecordWrite[] {
    const records: RecordWrite[] = [];
    for (const type of Object.keys(data) as (keyof SignalDataSet)[]) {
      for (const [keyId, value] of Object.entries(data[type] ?? {})) {
        records.push(value === null || value === undefined ? { type, keyId, sealed: null } : this.sealRecord(sessionId, type, keyId, value));
      }
    }
    return records;
  }

  private sealRecord(sessionId: string, type: string, keyId: string, value: unknown): RecordWrite {
    const plaintext = Buffer.from(JSON.stringify(value, this.baileys.BufferJSON.replacer), 'utf8');
    return { type, keyId, sealed: this.currentKeyring().encrypt(plaintext, encryptionContext(sessionId, type, keyId)) };
  }

  private openRecord(sessionId: string, row: StoredRow): unknown {
    const plaintext = this.currentKeyring().decrypt(sealedValueOf(row), encryptionContext(sessionId, row.type, row.key_id));
    const value: unknown = JSON.parse(plaintext.toString('utf8'), this.baileys.BufferJSON.reviver);
    if (row.type === 'app-state-sync-key' && value) return this.baileys.proto.Message.AppStateSyncKeyData.fromObject(value as object);
    return value;
  }

  private enqueueWrite(sessionId: string, generation: number, records: RecordWrite[]): Promise<void> {
    return this.enqueue(sessionId, async () => {
      if (this.generationOf(sessionId) !== generation) {
        this.logger.debug({ sessionId, records: records.length }, 'Dropped a credential write for credentials that were removed meanwhile');
        return;
      }
      await this.inTransaction(sessionId, (transaction) => writeRecords(transaction, sessionId, records));
    });
  }

  /**
   * Runs `work` in one transaction that holds the session's advisory lock, so writers of one session
   * never interleave, also across app processes (the in-process queue covers only this process).
   */
  private inTransaction<T>(sessionId: string, work: (transaction: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.em.getKnex().transaction(async (transaction) => {
      await transaction.raw('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`whatsapp_auth_keys:${sessionId}`]);
      return work(transaction);
    });
  }

  private enqueue(sessionId: string, task: () => Promise<void>): Promise<void> {
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

  private generationOf(sessionId: string): number {
    return this.generations.get(sessionId) ?? 0;
  }

  private async select<T>(sql: string, bindings: unknown[]): Promise<T[]> {
    const { rows } = (await this.em.getKnex().raw(sql, bindings as Knex.RawBinding[])) as { rows: T[] };
    return rows;
  }

  /** Builds the keyring on first use, so a server that keeps credentials in files needs no key for this store. */
  private currentKeyring(): EncryptionKeyring {
    if (this.keyring) return this.keyring;
    const { key, previousKey } = this.config.encryption;
    if (!key) throw new Error('ENCRYPTION_KEY is missing, so credentials cannot be stored in the database. Set it, or set AUTH_STATE_STORE=file.');
    this.keyring = new EncryptionKeyring(key, previousKey ? [previousKey] : []);
    return this.keyring;
  }
}

/** Upserts and deletes one batch inside the caller's transaction. */
async function writeRecords(transaction: Knex.Transaction, sessionId: string, records: RecordWrite[]): Promise<void> {
  const upserts = records.filter((record) => record.sealed);
  const deletes = records.filter((record) => !record.sealed);
  if (upserts.length > 0) {
    await transaction.raw(UPSERT_SQL, [
      sessionId,
      upserts.map((record) => record.type),
      upserts.map((record) => record.keyId),
      upserts.map((record) => record.sealed!.ciphertext),
      upserts.map((record) => record.sealed!.nonce),
      upserts.map((record) => record.sealed!.keyVersion),
    ]);
  }
  if (deletes.length > 0) {
    await transaction.raw(DELETE_SQL, [deletes.map((record) => record.type), deletes.map((record) => record.keyId), sessionId]);
  }
}

/** Binds a value to its session and name, so a row moved to another session, type or key id fails to decrypt. */
function encryptionContext(sessionId: string, type: string, keyId: string): EncryptionContext {
  return { purpose: ENCRYPTION_PURPOSE, scope: sessionId, associatedData: Buffer.from(JSON.stringify(['whatsapp_auth_keys', sessionId, type, keyId]), 'utf8') };
}

function sealedValueOf(row: StoredRow): SealedValue {
  return { ciphertext: row.ciphertext, nonce: row.nonce, keyVersion: row.key_version };
}
