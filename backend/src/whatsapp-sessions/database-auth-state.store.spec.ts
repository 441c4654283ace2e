import type { SignalKeyStoreWithTransaction } from '@whiskeysockets/baileys';
import { MikroORM } from '@mikro-orm/postgresql';
import { Logger } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import pino from 'pino';
import { createTestDatabase, TestDatabase } from '../../test/setup/test-database';
import type { AppConfig } from '../config/app-config';
import { mikroOrmOptions } from '../database/mikro-orm.options';
import { AuthCorruptError } from './auth-state.store';
import { Baileys, loadBaileys } from './baileys.provider';
import { DatabaseAuthStateStore } from './database-auth-state.store';

const ADDRESS = '573000000002.0';

describe(DatabaseAuthStateStore.name, () => {
  let database: TestDatabase;
  let orm: MikroORM;
  let baileys: Baileys;
  let tenantId: string;
  const key = randomBytes(32);

  beforeAll(async () => {
    // The store logs through Nest's Logger, which prints to the console outside an app; its lines are not checked here.
    Logger.overrideLogger(false);
    database = await createTestDatabase();
    orm = await MikroORM.init(mikroOrmOptions(database.url, pino({ level: 'silent' })));
    await orm.getMigrator().up();
    baileys = await loadBaileys();
    tenantId = randomUUID();
    await sql('insert into tenants (id, name) values (?, ?)', [tenantId, 'Tienda']);
  });

  afterAll(async () => {
    await orm?.close();
    await database?.drop();
  });

  async function sql<T = Record<string, unknown>>(query: string, bindings: unknown[] = []): Promise<T[]> {
    return ((await orm.em.getKnex().raw(query, bindings as never[])) as { rows: T[] }).rows;
  }

  async function newSession(): Promise<string> {
    const sessionId = randomUUID();
    await sql('insert into whatsapp_sessions (id, tenant_id, name) values (?, ?, ?)', [sessionId, tenantId, 'WhatsApp']);
    return sessionId;
  }

  function storeWith(currentKey: Buffer, previousKey?: Buffer): DatabaseAuthStateStore {
    return new DatabaseAuthStateStore(orm.em, { encryption: { key: currentKey, previousKey } } as AppConfig, baileys);
  }

  /** Wraps the Signal key store as a Baileys socket does: a cache, then transactions with caller-chosen labels. */
  function asSocketSees(keys: Parameters<Baileys['makeCacheableSignalKeyStore']>[0]): SignalKeyStoreWithTransaction {
    const logger = pino({ level: 'silent' });
    return baileys.addTransactionCapability(baileys.makeCacheableSignalKeyStore(keys, logger), logger, { maxCommitRetries: 1, delayBetweenTriesMs: 0 });
  }

  /** Opens a session and stores its credentials, so reopening keeps its keys (a session without credentials starts clean). */
  async function openSaved(sut: DatabaseAuthStateStore, sessionId: string) {
    const auth = await sut.open(sessionId);
    await auth.saveCreds();
    return auth;
  }

  async function sessionRecord(sut: DatabaseAuthStateStore, sessionId: string, address = ADDRESS): Promise<string | undefined> {
    const found = await (await sut.open(sessionId)).state.keys.get('session', [address]);
    return found[address] ? Buffer.from(found[address]).toString() : undefined;
  }

  it('round-trips credentials and every key type', async () => {
    const sessionId = await newSession();
    const sut = storeWith(key);
    const auth = await sut.open(sessionId);
    auth.state.creds.me = { id: '573000000001:12@s.whatsapp.net', name: 'Tienda' };
    await auth.saveCreds();
    await auth.state.keys.set({
      session: { [ADDRESS]: Buffer.from('record') },
      'pre-key': { '1': { public: Buffer.from('public'), private: Buffer.from('private') } },
      'app-state-sync-key': { AAAA: { keyData: Buffer.from('sync'), timestamp: 7 } as never },
      'lid-mapping': { '573000000002': '123456789@lid' },
    });

    const reopened = await storeWith(key).open(sessionId);
    expect(reopened.state.creds.me?.name).toBe('Tienda');
    expect(Buffer.from(reopened.state.creds.noiseKey.private)).toEqual(Buffer.from(auth.state.creds.noiseKey.private));
    expect(Buffer.from((await reopened.state.keys.get('session', [ADDRESS]))[ADDRESS]).toString()).toBe('record');
    expect(Buffer.from((await reopened.state.keys.get('pre-key', ['1']))['1'].private).toString()).toBe('private');
    const syncKey = (await reopened.state.keys.get('app-state-sync-key', ['AAAA'])).AAAA;
    expect(syncKey).toBeInstanceOf(baileys.proto.Message.AppStateSyncKeyData);
    expect(Buffer.from(syncKey.keyData!).toString()).toBe('sync');
    expect(await reopened.state.keys.get('lid-mapping', ['573000000002', 'unknown'])).toEqual({ '573000000002': '123456789@lid' });
    expect(await sut.hasCredentials(sessionId)).toBe(true);
    expect(await sut.countKeys(sessionId)).toEqual({ 'app-state-sync-key': 1, creds: 1, 'lid-mapping': 1, 'pre-key': 1, session: 1 });
  });

  it('deletes a key set to null', async () => {
    const sessionId = await newSession();
    const sut = storeWith(key);
    const auth = await openSaved(sut, sessionId);
    await auth.state.keys.set({ session: { [ADDRESS]: Buffer.from('record'), '573000000003.0': Buffer.from('other') } });

    await auth.state.keys.set({ session: { [ADDRESS]: null } });

    expect(await sessionRecord(sut, sessionId)).toBeUndefined();
    expect(await sessionRecord(sut, sessionId, '573000000003.0')).toBe('other');
  });

  it('rolls back a batch whose second statement fails', async () => {
    const sessionId = await newSession();
    const sut = storeWith(key);
    const auth = await openSaved(sut, sessionId);

    // PostgreSQL rejects a NUL character in text, so the delete after the upsert fails.
    const failing = auth.state.keys.set({ session: { [ADDRESS]: Buffer.from('half') }, 'pre-key': { 'bad\u0000id': null } });

    await expect(failing).rejects.toThrow();
    expect(await sessionRecord(sut, sessionId)).toBeUndefined();
    await auth.state.keys.set({ session: { [ADDRESS]: Buffer.from('after') } });
    expect(await sessionRecord(sut, sessionId)).toBe('after');
  });

  it('reads its own writes before they are awaited', async () => {
    const sessionId = await newSession();
    const auth = await storeWith(key).open(sessionId);

    const written = auth.state.keys.set({ session: { [ADDRESS]: Buffer.from('fresh') } });
    const read = await auth.state.keys.get('session', [ADDRESS]);

    expect(Buffer.from(read[ADDRESS]).toString()).toBe('fresh');
    await written;
  });

  it('reads its own writes inside a Baileys transaction', async () => {
    const sessionId = await newSession();
    const sut = storeWith(key);
    const keys = asSocketSees((await openSaved(sut, sessionId)).state.keys);

    const seenInside = await keys.transaction(async () => {
      await keys.set({ session: { [ADDRESS]: Buffer.from('inside') } });
      return (await keys.get('session', [ADDRESS]))[ADDRESS];
    }, ADDRESS);

    expect(Buffer.from(seenInside).toString()).toBe('inside');
    expect(await sessionRecord(sut, sessionId)).toBe('inside');
  });

  it('keeps every batch of concurrent transactions with different labels', async () => {
    const sessionId = await newSession();
    const sut = storeWith(key);
    const auth = await openSaved(sut, sessionId);
    await auth.state.keys.set({ session: { [ADDRESS]: Buffer.from('initial') } });
    const keys = asSocketSees(auth.state.keys);

    // Baileys rc14 locks a transaction by its label, and the PN-to-LID session migration and a message
    // encryption use different labels, so both run at once. Each reads the record, then writes it and a key of its own.
    const migrate = (label: string, delayMs: number) =>
      keys.transaction(async () => {
        await keys.get('session', [ADDRESS]);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        await keys.set({ session: { [ADDRESS]: Buffer.from(`from ${label}`) }, 'sender-key-memory': { [label]: { [ADDRESS]: true } } });
      }, label);
    await Promise.all([migrate('send', 60), migrate('migration', 10)]);

    // The batch committed last wins whole, and the earlier batch is not lost.
    expect(await sessionRecord(sut, sessionId)).toBe('from send');
    const memories = await (await sut.open(sessionId)).state.keys.get('sender-key-memory', ['send', 'migration']);
    expect(Object.keys(memories).sort()).toEqual(['migration', 'send']);
    expect(await sql('select 1 from whatsapp_auth_keys where session_id = ? and type = ? and key_id = ?', [sessionId, 'session', ADDRESS])).toHaveLength(1);
  });

  it('applies 30 concurrent batches in call order, none lost', async () => {
    const sessionId = await newSession();
    const sut = storeWith(key);
    const auth = await openSaved(sut, sessionId);

    await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        auth.state.keys.set({ session: { [ADDRESS]: Buffer.from(`batch ${index}`) }, 'lid-mapping': { [`marker-${index}`]: `${index}@lid` } }),
      ),
    );

    expect(await sessionRecord(sut, sessionId)).toBe('batch 29');
    expect((await sut.countKeys(sessionId))['lid-mapping']).toBe(30);
  });

  it('keeps the last of 50 concurrent credential writes', async () => {
    const sessionId = await newSession();
    const auth = await storeWith(key).open(sessionId);

    await Promise.all(
      Array.from({ length: 50 }, (_, index) => {
        auth.state.creds.me = { id: '573000000001:12@s.whatsapp.net', name: `write ${index}` };
        return auth.saveCreds();
      }),
    );

    expect((await storeWith(key).open(sessionId)).state.creds.me?.name).toBe('write 49');
  });

  it('stores no plaintext key material', async () => {
    const sessionId = await newSession();
    const auth = await storeWith(key).open(sessionId);
    const preKeyPrivate = randomBytes(32);
    const sessionMarker = `ratchet-${randomUUID()}`;
    await auth.saveCreds();
    await auth.state.keys.set({
      'pre-key': { '7': { public: randomBytes(32), private: preKeyPrivate } },
      session: { [ADDRESS]: Buffer.from(sessionMarker) },
    });

    const dump = (await sql<{ row: string }>('select stored::text as row from whatsapp_auth_keys stored')).map((entry) => entry.row).join('\n');

    const secrets = [preKeyPrivate, Buffer.from(auth.state.creds.noiseKey.private), Buffer.from(auth.state.creds.signedIdentityKey.private), Buffer.from(sessionMarker)];
    for (const secret of secrets) {
      for (const form of [secret.toString('hex'), secret.toString('base64'), Buffer.from(secret.toString('base64')).toString('hex')]) {
        expect(dump).not.toContain(form);
      }
    }
    expect(dump).not.toContain(auth.state.creds.advSecretKey);
    expect(dump).not.toContain(Buffer.from(auth.state.creds.advSecretKey).toString('hex'));
    expect(dump).toContain(sessionId);
  });

  it('refuses credentials copied from another session', async () => {
    const source = await newSession();
    const target = await newSession();
    const sut = storeWith(key);
    await (await sut.open(source)).saveCreds();
    await sql(
      `insert into whatsapp_auth_keys (session_id, type, key_id, ciphertext, nonce, key_version)
       select ?, type, key_id, ciphertext, nonce, key_version from whatsapp_auth_keys where session_id = ?`,
      [target, source],
    );

    await expect(sut.open(target)).rejects.toBeInstanceOf(AuthCorruptError);
    const kept = await sql<{ type: string }>('select type from whatsapp_auth_keys where session_id = ?', [target]);
    expect(kept.map((row) => row.type)).toEqual(['creds-corrupt']);
    expect(await sut.hasCredentials(target)).toBe(false);
  });

  it('treats a key moved to another name as missing', async () => {
    const sessionId = await newSession();
    const sut = storeWith(key);
    const auth = await sut.open(sessionId);
    await auth.state.keys.set({ session: { [ADDRESS]: Buffer.from('record') } });
    await sql('update whatsapp_auth_keys set key_id = ? where session_id = ? and key_id = ?', ['573000000009.0', sessionId, ADDRESS]);

    expect(await auth.state.keys.get('session', ['573000000009.0'])).toEqual({});
  });

  it('rotates to a new key', async () => {
    const sessionId = await newSession();
    const newKey = randomBytes(32);
    const before = await storeWith(key).open(sessionId);
    await before.saveCreds();
    await before.state.keys.set({ session: { [ADDRESS]: Buffer.from('old key') } });
    const versionsOf = async () => new Set((await sql<{ key_version: string }>('select key_version from whatsapp_auth_keys where session_id = ?', [sessionId])).map((row) => row.key_version));
    const [oldVersion] = await versionsOf();

    const rotated = storeWith(newKey, key);
    const after = await rotated.open(sessionId);
    expect(Buffer.from(after.state.creds.noiseKey.private)).toEqual(Buffer.from(before.state.creds.noiseKey.private));
    expect(await sessionRecord(rotated, sessionId)).toBe('old key');
    await after.state.keys.set({ 'pre-key': { '9': { public: randomBytes(32), private: randomBytes(32) } } });

    const versions = await versionsOf();
    expect(versions.size).toBe(1);
    expect(versions.has(oldVersion)).toBe(false);
    expect(await sessionRecord(storeWith(newKey), sessionId)).toBe('old key');
  });

  it('refuses credentials sealed under a key it does not have', async () => {
    const sessionId = await newSession();
    await (await storeWith(key).open(sessionId)).saveCreds();

    await expect(storeWith(randomBytes(32)).open(sessionId)).rejects.toBeInstanceOf(AuthCorruptError);
  });

  it('removes every row of the session', async () => {
    const sessionId = await newSession();
    const other = await newSession();
    const sut = storeWith(key);
    const auth = await openSaved(sut, sessionId);
    await (await sut.open(other)).saveCreds();
    void auth.state.keys.set({ session: { [ADDRESS]: Buffer.from('record') } });

    await sut.remove(sessionId);

    expect(await sut.countKeys(sessionId)).toEqual({});
    expect(await sut.countKeys(other)).toEqual({ creds: 1 });
  });

  it('drops writes of a handle opened before removal', async () => {
    const sessionId = await newSession();
    const sut = storeWith(key);
    const auth = await openSaved(sut, sessionId);
    await sut.remove(sessionId);

    await auth.saveCreds();
    await auth.state.keys.set({ session: { [ADDRESS]: Buffer.from('late') } });

    expect(await sut.countKeys(sessionId)).toEqual({});
    expect(await sut.hasCredentials(sessionId)).toBe(false);
  });

  it('clears Signal keys but keeps the credentials', async () => {
    const sessionId = await newSession();
    const sut = storeWith(key);
    const auth = await sut.open(sessionId);
    await auth.saveCreds();
    await auth.state.keys.set({ session: { [ADDRESS]: Buffer.from('record') }, 'pre-key': { '1': { public: randomBytes(32), private: randomBytes(32) } } });

    await auth.state.keys.clear!();

    expect(await sut.countKeys(sessionId)).toEqual({ creds: 1 });
  });
});
