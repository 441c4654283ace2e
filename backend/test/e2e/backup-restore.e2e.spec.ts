import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import type { RunningServer } from '../../src/bootstrap';
import { linkNewSession, sessionStatus, waitForInbox } from '../setup/flows';
import { startTestSimulator } from '../setup/simulator';
import { createTestEnvironment, eventually, FeedClient, login, startTestServer, TestEnvironment } from '../setup/test-app';
import { withClient } from '../setup/test-database';

const run = promisify(execFile);
const CLI = join(__dirname, '../../dist/operations/cli.js');
const BUSINESS = '+573000000101';
const CUSTOMER = '+573000000102';

/** The documented backup and restore commands, run as a user would, from one installation into a new one. */
describe('Backup and restore', () => {
  let simulator: Awaited<ReturnType<typeof startTestSimulator>>;
  let original: TestEnvironment;
  let restored: TestEnvironment;
  let server: RunningServer | undefined;
  let folder: string;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build the backend first with "npm run build -w backend" (the root "npm test" does).`);
    simulator = await startTestSimulator();
    original = await createTestEnvironment({ SIMULATOR_URL: simulator.simulator.controlUrl });
    restored = await createTestEnvironment({ SIMULATOR_URL: simulator.simulator.controlUrl });
    folder = mkdtempSync(join(tmpdir(), 'charla-backup-'));
  });

  afterAll(async () => {
    await server?.close();
    await simulator?.stop();
    await original?.cleanup();
    await restored?.cleanup();
    rmSync(folder, { recursive: true, force: true });
  });

  const cli = (environment: TestEnvironment, ...args: string[]) => run(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, ...environment.env } });

  it('restores the conversations and the linked session into a new database and folder', async () => {
    server = await startTestServer(original);
    let token = await login(server);
    let feed = new FeedClient(server.url, token);
    await feed.connected();
    const sessionId = await linkNewSession(server, token, feed, BUSINESS);
    await request(server.url).post('/api/sandbox/messages').set({ Authorization: `Bearer ${token}` }).send({ from: CUSTOMER, to: BUSINESS, content: '¿Tienen envíos?' }).expect(201);
    const inbound = await feed.waitFor('message.created', (payload) => payload.message.content === '¿Tienen envíos?');
    const reply = await request(server.url)
      .post(`/api/conversations/${inbound.conversationId}/messages`)
      .set({ Authorization: `Bearer ${token}` })
      .send({ content: 'Sí, a todo el país', replyTo: inbound.message.id })
      .expect(201);
    await waitForInbox(server, token, CUSTOMER, (entries) => entries.some((entry) => entry.content === 'Sí, a todo el país'));
    // A photo from the customer, kept in the local media folder, must come back with the backup.
    await request(server.url).post('/api/sandbox/messages').set({ Authorization: `Bearer ${token}` }).send({ from: CUSTOMER, to: BUSINESS, type: 'image', caption: 'Mi pedido' }).expect(201);
    const photo = await feed.waitFor('message.updated', (payload) => payload.data?.media?.status === 'stored');
    const photoBytes = Buffer.from(await (await fetch(new URL(photo.data.media.url, server.url))).arrayBuffer());
    feed.close();
    await server.close();
    server = undefined;

    const file = join(folder, 'charla.backup');
    const backup = await cli(original, 'backup', file);
    expect(backup.stdout).toContain('Wrote');
    const restore = await cli(restored, 'restore', file);
    expect(restore.stdout).toContain('Restored');
    expect(restore.stdout).toContain('"mediaFiles":1');
    expect(readdirSync(join(restored.authSessionsDir, sessionId))).toContain('creds.json');

    // The new installation opens the same WhatsApp link without a QR code and keeps the thread.
    server = await startTestServer(restored);
    token = await login(server);
    feed = new FeedClient(server.url, token);
    await feed.connected();
    await eventually(async () => ((await sessionStatus(server!, token, sessionId)).status === 'connected' ? true : undefined), 30_000);
    const thread = await request(server.url).get(`/api/conversations/${inbound.conversationId}/messages`).set({ Authorization: `Bearer ${token}` }).expect(200);
    expect(thread.body.map((message: { content: string }) => message.content)).toEqual(['¿Tienen envíos?', 'Sí, a todo el país', 'Mi pedido']);
    expect(thread.body.find((message: { id: string }) => message.id === reply.body.id).quotedMessageId).toBe(inbound.message.id);
    const restoredPhoto = thread.body.find((message: { id: string }) => message.id === photo.id);
    expect(Buffer.from(await (await fetch(new URL(restoredPhoto.data.media.url, server.url))).arrayBuffer()).equals(photoBytes)).toBe(true);

    await request(server.url).post('/api/sandbox/messages').set({ Authorization: `Bearer ${token}` }).send({ from: CUSTOMER, to: BUSINESS, content: 'Gracias' }).expect(201);
    const after = await feed.waitFor('message.created', (payload) => payload.message.content === 'Gracias');
    expect(after.conversationId).toBe(inbound.conversationId);
    feed.close();
  });

  it('refuses to restore over data that already exists', async () => {
    const file = join(folder, 'charla.backup');
    const again = await cli(restored, 'restore', file).catch((error: { code: number; stderr: string }) => error);
    expect((again as { code: number }).code).toBe(1);
    expect((again as { stderr: string }).stderr).toContain('already contains tenants');

    const { rows } = await withClient(restored.database.url, (client) => client.query('select count(*)::int as count from messages'));
    expect(rows[0].count).toBe(4);
  });

  it('backs up an installation whose embedded PostgreSQL is running', async () => {
    await server?.close();
    server = undefined;
    const port = String(55_000 + Math.floor(Math.random() * 5_000));
    const embedded = await createTestEnvironment({ DATABASE_URL: '', EMBEDDED_POSTGRES_PORT: port, WHATSAPP_MODE: 'live' });
    // The embedded server runs as the postgres user when tests run as root, so it must reach its folder.
    chmodSync(embedded.dataDir, 0o711);
    try {
      server = await startTestServer(embedded);
      const backup = await cli(embedded, 'backup', join(folder, 'embedded.backup'));
      expect(backup.stdout).toContain('"users":1');
    } finally {
      await server?.close();
      server = undefined;
      await embedded.cleanup();
    }
  });
});
