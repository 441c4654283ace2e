import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { AuthCorruptError, FileAuthStateStore } from './auth-state.store';
import { loadBaileys } from './baileys.provider';

describe(FileAuthStateStore.name, () => {
  let root: string;
  let sut: FileAuthStateStore;

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'charla-auth-'));
    sut = new FileAuthStateStore({ paths: { authSessionsDir: root, dataDir: root } } as AppConfig, await loadBaileys());
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('creates the folder 0700 and files 0600', async () => {
    const sessionId = randomUUID();
    const auth = await sut.open(sessionId);
    await auth.saveCreds();

    expect(statSync(join(root, sessionId)).mode & 0o777).toBe(0o700);
    expect(statSync(join(root, sessionId, 'creds.json')).mode & 0o777).toBe(0o600);
  });

  it('removes the folder while a closing socket keeps writing, and keeps it removed', async () => {
    const sessionId = randomUUID();
    const auth = await sut.open(sessionId);
    await auth.saveCreds();

    // Keys keep arriving while the removal runs, as they do when a socket ends right after linking.
    const writes = Array.from({ length: 200 }, (_, index) => auth.state.keys.set({ 'pre-key': { [String(index)]: { public: new Uint8Array(32), private: new Uint8Array(32) } } }));
    const removal = sut.remove(sessionId);
    const later = Array.from({ length: 50 }, (_, index) => auth.saveCreds().then(() => auth.state.keys.set({ session: { [`late${index}`]: new Uint8Array(8) } })));
    await Promise.all([removal, ...writes, ...later]);

    expect(existsSync(join(root, sessionId))).toBe(false);
    expect(await sut.hasCredentials(sessionId)).toBe(false);
  });

  it('keeps the last of 50 concurrent credential writes, whole', async () => {
    const sessionId = randomUUID();
    const auth = await sut.open(sessionId);

    await Promise.all(
      Array.from({ length: 50 }, (_, index) => {
        (auth.state.creds as { registrationId: number }).registrationId = index;
        auth.state.creds.me = { id: `57300000${String(index).padStart(4, '0')}:1@s.whatsapp.net`, name: `write ${index}` };
        return auth.saveCreds();
      }),
    );

    const stored = JSON.parse(readFileSync(join(root, sessionId, 'creds.json'), 'utf8'));
    expect(stored.registrationId).toBe(49);
    expect(stored.me.name).toBe('write 49');
    expect(readdirSync(join(root, sessionId)).filter((name) => name.endsWith('.tmp'))).toEqual([]);

    const reopened = await sut.open(sessionId);
    expect(reopened.state.creds.noiseKey.private).toEqual(auth.state.creds.noiseKey.private);
  });

  it('stores, reads and deletes Signal keys', async () => {
    const sessionId = randomUUID();
    const auth = await sut.open(sessionId);

    await auth.saveCreds();
    await auth.state.keys.set({ session: { '573000000002.0': Buffer.from('record') }, 'pre-key': { '1': { public: Buffer.from('p'), private: Buffer.from('q') } } });
    const reopened = await sut.open(sessionId);
    expect(Buffer.from((await reopened.state.keys.get('session', ['573000000002.0']))['573000000002.0']).toString()).toBe('record');

    await reopened.state.keys.set({ session: { '573000000002.0': null } });
    expect(await (await sut.open(sessionId)).state.keys.get('session', ['573000000002.0'])).toEqual({});
  });

  it.each([
    ['empty', (path: string) => truncateSync(path, 0)],
    ['truncated', (path: string) => truncateSync(path, Math.floor(statSync(path).size / 2))],
    ['not JSON', (path: string) => writeFileSync(path, 'garbage')],
  ])('refuses %s credentials and keeps the file aside', async (_name, damage) => {
    const sessionId = randomUUID();
    const auth = await sut.open(sessionId);
    await auth.saveCreds();
    const credsPath = join(root, sessionId, 'creds.json');
    damage(credsPath);

    await expect(sut.open(sessionId)).rejects.toBeInstanceOf(AuthCorruptError);
    expect(existsSync(credsPath)).toBe(false);
    expect(readdirSync(join(root, sessionId)).some((name) => name.startsWith('creds.json.corrupt-'))).toBe(true);
  });

  it('removes the whole folder after pending writes', async () => {
    const sessionId = randomUUID();
    const auth = await sut.open(sessionId);
    void auth.saveCreds();

    await sut.remove(sessionId);
    expect(existsSync(join(root, sessionId))).toBe(false);
  });

  it('refuses session ids that are not UUIDs as folder names', async () => {
    for (const bad of ['../../etc', '..%2f..%2f', 'a\u0000b', 'x'.repeat(10_000)]) {
      await expect(sut.open(bad)).rejects.toThrow(/not a UUID/);
    }
    expect(readdirSync(root)).toEqual([]);
  });
});
