import { existsSync, readdirSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import type { RunningServer } from '../../src/bootstrap';
import { linkNewSession, sessionStatus, waitForInbox } from '../setup/flows';
import { startTestSimulator } from '../setup/simulator';
import { createTestEnvironment, eventually, FeedClient, login, startTestServer, TestEnvironment } from '../setup/test-app';
import { withClient } from '../setup/test-database';

const RECONNECT_BASE_MS = 200;
const WATCHDOG_MS = 1500;

/** Phone numbers are unique per test so that sessions never share a simulated account. */
let nextPhone = 100;
const newPhone = () => `+5730000${String(nextPhone++).padStart(5, '0')}`;

describe('Session lifecycle under every disconnect reason', () => {
  let environment: TestEnvironment;
  let simulator: Awaited<ReturnType<typeof startTestSimulator>>;
  let server: RunningServer;
  let token: string;
  let feed: FeedClient;
  const auth = () => ({ Authorization: `Bearer ${token}` });
  const api = () => request(server.url);

  beforeAll(async () => {
    simulator = await startTestSimulator();
    environment = await createTestEnvironment({
      SIMULATOR_URL: simulator.simulator.controlUrl,
      RECONNECT_BASE_DELAY_MS: String(RECONNECT_BASE_MS),
      RECONNECT_MAX_DELAY_MS: '1000',
      WHATSAPP_KEEPALIVE_MS: '1000',
      SYNC_WATCHDOG_MS: String(WATCHDOG_MS),
      OUTBOX_SESSION_GAP_MS: '0',
      OUTBOX_CHAT_GAP_MS: '0',
      OUTBOX_JITTER_MS: '0',
    });
    server = await startTestServer(environment);
    token = await login(server);
    feed = new FeedClient(server.url, token);
    await feed.connected();
  });

  afterAll(async () => {
    feed?.close();
    await server?.close();
    await simulator?.stop();
    await environment?.cleanup();
  });

  /** Statuses of a session announced over Socket.IO from now on. */
  function watchStatuses(sessionId: string): () => string[] {
    const start = feed.events.length;
    return () => feed.events.slice(start).filter((entry) => entry.event === 'session.status' && entry.payload.sessionId === sessionId).map((entry) => entry.payload.status);
  }

  async function fault(sessionId: string, kind: string): Promise<void> {
    await api().post('/api/sandbox/faults').set(auth()).send({ sessionId, kind }).expect(200);
  }

  /** A number with WhatsApp that never wrote to the business. */
  async function newCustomerOnWhatsApp(): Promise<string> {
    const phoneNumber = newPhone();
    await api().post('/api/sandbox/contacts').set(auth()).send({ phoneNumber, name: 'Nuevo' }).expect(201);
    return phoneNumber;
  }

  /** A linked session with one stored inbound message, to check that faults keep messages. */
  async function linkedWithHistory(): Promise<{ sessionId: string; phone: string; customer: string }> {
    const phone = newPhone();
    const customer = newPhone();
    const sessionId = await linkNewSession(server, token, feed, phone);
    await api().post('/api/sandbox/messages').set(auth()).send({ from: customer, to: phone, content: `antes del fallo ${sessionId}` }).expect(201);
    await feed.waitFor('message.created', (payload) => payload.message.content === `antes del fallo ${sessionId}`);
    return { sessionId, phone, customer };
  }

  async function expectHistoryIntact(sessionId: string): Promise<void> {
    const messages = await api().get('/api/messages').query({ filter: JSON.stringify({ sessionId }) }).set(auth()).expect(200);
    expect(messages.body.map((message: { content: string }) => message.content)).toContain(`antes del fallo ${sessionId}`);
  }

  const credsFolder = (sessionId: string) => join(environment.authSessionsDir, sessionId);

  it('reconnects at once after 515 without counting a retry or asking for a QR', async () => {
    const { sessionId } = await linkedWithHistory();
    const statuses = watchStatuses(sessionId);
    const qrEventsBefore = feed.events.filter((entry) => entry.event === 'session.qr').length;

    await fault(sessionId, 'restart-required');
    await eventually(async () => (statuses().at(-1) === 'connected' ? true : undefined));

    expect(statuses()).toEqual(['connecting', 'connected']);
    expect(feed.events.filter((entry) => entry.event === 'session.qr')).toHaveLength(qrEventsBefore);
    expect((await sessionStatus(server, token, sessionId)).reconnectAttempts).toBe(0);
    expect(existsSync(join(credsFolder(sessionId), 'creds.json'))).toBe(true);
    await expectHistoryIntact(sessionId);
  });

  it.each([
    ['drop', 'CONNECTION_LOST'],
    ['bad-session', 'BAD_SESSION'],
  ])('reconnects with backoff after %s', async (kind, code) => {
    const { sessionId } = await linkedWithHistory();
    const statuses = watchStatuses(sessionId);

    await fault(sessionId, kind);
    await eventually(async () => (statuses().at(-1) === 'connected' ? true : undefined));

    expect(statuses()).toEqual(['reconnecting', 'connected']);
    const session = await sessionStatus(server, token, sessionId);
    expect(session).toMatchObject({ status: 'connected', reconnectAttempts: 0, lastError: { code } });
    expect(existsSync(join(credsFolder(sessionId), 'creds.json'))).toBe(true);
    await expectHistoryIntact(sessionId);
  });

  it('notices a stalled connection through missed pings and reconnects', async () => {
    const { sessionId } = await linkedWithHistory();
    const statuses = watchStatuses(sessionId);

    await fault(sessionId, 'stall');
    await eventually(async () => (statuses().at(-1) === 'connected' ? true : undefined), 20_000);

    expect(statuses()).toEqual(['reconnecting', 'connected']);
    expect((await sessionStatus(server, token, sessionId)).lastError.code).toBe('CONNECTION_LOST');
    await expectHistoryIntact(sessionId);
  });

  it.each([
    ['downgrade', 'MULTIDEVICE_MISMATCH', ['failed']],
    ['forbidden', 'FORBIDDEN', ['reconnecting', 'failed']],
  ])('stops with failed after %s and does not retry', async (kind, code, expected) => {
    const { sessionId } = await linkedWithHistory();
    const statuses = watchStatuses(sessionId);

    await fault(sessionId, kind);
    await eventually(async () => (statuses().at(-1) === 'failed' ? true : undefined), 15_000);
    await new Promise((resolve) => setTimeout(resolve, RECONNECT_BASE_MS * 4));

    expect(statuses()).toEqual(expected);
    expect(await sessionStatus(server, token, sessionId)).toMatchObject({ status: 'failed', lastError: { code } });
    expect(existsSync(join(credsFolder(sessionId), 'creds.json'))).toBe(true);
    const refused = await api().post(`/api/sessions/${sessionId}/messages`).set(auth()).send({ to: newPhone(), content: 'hola' }).expect(409);
    expect(refused.body.code).toBe('SESSION_FAILED');
    await expectHistoryIntact(sessionId);
  });

  it('deletes the credentials after 401 and does not try again after a restart', async () => {
    const { sessionId } = await linkedWithHistory();
    const statuses = watchStatuses(sessionId);

    await fault(sessionId, 'logout');
    await eventually(async () => (statuses().at(-1) === 'logged_out' ? true : undefined));

    expect(statuses()).toEqual(['logged_out']);
    expect(existsSync(credsFolder(sessionId))).toBe(false);
    const refused = await api().post(`/api/sessions/${sessionId}/messages`).set(auth()).send({ to: newPhone(), content: 'hola' }).expect(409);
    expect(refused.body.code).toBe('SESSION_LOGGED_OUT');
    await expectHistoryIntact(sessionId);

    await server.close();
    server = await startTestServer(environment);
    token = await login(server);
    feed.close();
    feed = new FeedClient(server.url, token);
    await feed.connected();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await sessionStatus(server, token, sessionId)).status).toBe('logged_out');
    expect(existsSync(credsFolder(sessionId))).toBe(false);
  });

  it('links again after a logout through the API', async () => {
    const { sessionId, phone } = await linkedWithHistory();
    const logoutStatuses = watchStatuses(sessionId);
    await api().post(`/api/sessions/${sessionId}/disconnect`).set(auth()).expect(200);
    await feed.waitFor('session.status', (payload) => payload.sessionId === sessionId && payload.status === 'logged_out');
    const again = await api().post(`/api/sessions/${sessionId}/disconnect`).set(auth()).expect(200);
    expect(again.body.status).toBe('logged_out');
    expect(logoutStatuses()).toEqual(['logged_out']);

    const statuses = watchStatuses(sessionId);
    const qrEventsBefore = feed.events.length;
    await api().post(`/api/sessions/${sessionId}/connect`).set(auth()).expect(202);
    await eventually(async () => (feed.events.slice(qrEventsBefore).some((entry) => entry.event === 'session.qr' && entry.payload.sessionId === sessionId) ? true : undefined));
    const current = await api().get(`/api/sessions/${sessionId}/qr`).set(auth()).expect(200);
    await api().post('/api/sandbox/scan').set(auth()).send({ qr: current.body.qr, phoneNumber: phone }).expect(200);
    await eventually(async () => (statuses().at(-1) === 'connected' ? true : undefined));
    expect(statuses()[0]).toBe('connecting');
    expect(statuses()).toContain('qr');
    expect(statuses().filter((status) => ['failed', 'logged_out', 'replaced'].includes(status))).toEqual([]);
    await expectHistoryIntact(sessionId);
  });

  it('answers QR polls without restarting the connection', async () => {
    const created = await api().post('/api/sessions').set(auth()).send({ name: 'Sondeo' }).expect(201);
    const sessionId = created.body.id as string;
    const statuses = watchStatuses(sessionId);
    await api().post(`/api/sessions/${sessionId}/connect`).set(auth()).expect(202);
    await feed.waitFor('session.qr', (payload) => payload.sessionId === sessionId);

    for (let poll = 0; poll < 10; poll += 1) {
      const response = await api().get(`/api/sessions/${sessionId}/qr`).set(auth()).expect(200);
      const latest = feed.events.filter((entry) => entry.event === 'session.qr' && entry.payload.sessionId === sessionId).at(-1)!.payload;
      expect(response.body.qr).toBe(latest.qr);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(statuses()).toEqual(['connecting', 'qr']);
    await api().post(`/api/sessions/${sessionId}/disconnect`).set(auth()).expect(200);
  });

  it('shows no pairing code when WhatsApp rejects the request', async () => {
    const phone = newPhone();
    const created = await api().post('/api/sessions').set(auth()).send({ name: 'Rechazo' }).expect(201);
    const sessionId = created.body.id as string;
    const injected = await fetch(new URL('/control/faults', simulator.simulator.controlUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'pairing-reject', phoneNumber: phone }),
    });
    expect(injected.status).toBe(200);

    const rejected = await api().post(`/api/sessions/${sessionId}/pairing-code`).set(auth()).send({ phoneNumber: phone }).expect(422);
    expect(rejected.body.code).toBe('PAIRING_CODE_REJECTED');
    expect(rejected.body).not.toHaveProperty('code', expect.stringMatching(/^[A-Z0-9]{8}$/));
    await api().post(`/api/sessions/${sessionId}/disconnect`).set(auth()).expect(200);
  });

  it('marks the session replaced after 440 and keeps the credentials', async () => {
    const { sessionId } = await linkedWithHistory();
    const statuses = watchStatuses(sessionId);

    await fault(sessionId, 'conflict');
    await eventually(async () => (statuses().at(-1) === 'replaced' ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, RECONNECT_BASE_MS * 4));

    expect(statuses()).toEqual(['replaced']);
    expect(existsSync(join(credsFolder(sessionId), 'creds.json'))).toBe(true);
    const refused = await api().post(`/api/sessions/${sessionId}/messages`).set(auth()).send({ to: newPhone(), content: 'hola' }).expect(409);
    expect(refused.body.code).toBe('SESSION_REPLACED');
    await expectHistoryIntact(sessionId);
  });

  it('marks a silent connection degraded and restarts its socket once', async () => {
    const { sessionId } = await linkedWithHistory();
    const statuses = watchStatuses(sessionId);
    const degradedSeen: boolean[] = [];
    let polling = true;
    const poll = (async () => {
      while (polling) {
        const details = await api().get('/api/health/details').set(auth());
        degradedSeen.push(details.body.tenantSessions.find((session: { id: string }) => session.id === sessionId)?.degraded === true);
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
    })();

    await fault(sessionId, 'silence');
    await eventually(async () => (statuses().filter((status) => status === 'connected').length === 2 ? true : undefined), 15_000);
    await eventually(async () => ((await sessionStatus(server, token, sessionId)).degraded === false ? true : undefined));
    polling = false;
    await poll;

    expect(statuses()).toEqual(['reconnecting', 'connected', 'reconnecting', 'connected']);
    expect(degradedSeen).toContain(true);
    expect((await sessionStatus(server, token, sessionId)).lastError.code).toBe('SYNC_STALLED');
    expect(environment.logs.lines.some((line) => line.includes('never finished its initial sync') && line.includes(sessionId))).toBe(true);
  });

  it('shows a new QR when WhatsApp refreshes the registration during pairing', async () => {
    const created = await api().post('/api/sessions').set(auth()).send({ name: 'Refresco' }).expect(201);
    const sessionId = created.body.id as string;
    await api().post(`/api/sessions/${sessionId}/connect`).set(auth()).expect(202);
    const first = await feed.waitFor('session.qr', (payload) => payload.sessionId === sessionId);

    await fault(sessionId, 'refresh-qr-refs');
    const renewed = await feed.waitFor('session.qr', (payload) => payload.sessionId === sessionId && payload.qr.split(',')[1] !== first.qr.split(',')[1]);

    const stale = await api().post('/api/sandbox/scan').set(auth()).send({ qr: first.qr, phoneNumber: newPhone() });
    expect(stale.status).toBe(404);
    await api().post('/api/sandbox/scan').set(auth()).send({ qr: renewed.qr, phoneNumber: newPhone() }).expect(200);
    await feed.waitFor('session.status', (payload) => payload.sessionId === sessionId && payload.status === 'connected');
  });

  it('refuses corrupt credentials at start with AUTH_CORRUPT and keeps the file aside', async () => {
    const { sessionId } = await linkedWithHistory();
    await server.close();
    truncateSync(join(credsFolder(sessionId), 'creds.json'), 10);

    server = await startTestServer(environment);
    token = await login(server);
    feed.close();
    feed = new FeedClient(server.url, token);
    await feed.connected();

    await eventually(async () => ((await sessionStatus(server, token, sessionId)).status === 'failed' ? true : undefined));
    expect((await sessionStatus(server, token, sessionId)).lastError.code).toBe('AUTH_CORRUPT');
    const files = readdirSync(credsFolder(sessionId));
    expect(files.some((name) => name.startsWith('creds.json.corrupt-'))).toBe(true);
    expect(files).not.toContain('creds.json');
    expect(feed.events.filter((entry) => entry.event === 'session.qr' && entry.payload.sessionId === sessionId)).toHaveLength(0);
    await expectHistoryIntact(sessionId);
  });

  it('links by pairing code', async () => {
    const phone = newPhone();
    const created = await api().post('/api/sessions').set(auth()).send({ name: 'Código' }).expect(201);
    const sessionId = created.body.id as string;

    const pairing = await api().post(`/api/sessions/${sessionId}/pairing-code`).set(auth()).send({ phoneNumber: phone }).expect(200);
    expect(pairing.body.code).toMatch(/^[A-Z0-9]{8}$/);
    expect(new Date(pairing.body.expiresAt).getTime()).toBeGreaterThan(Date.now());

    const wrong = await api().post('/api/sandbox/pairing-code').set(auth()).send({ phoneNumber: phone, code: 'ZZZZ9999' });
    expect(wrong.status).toBe(404);
    await api().post('/api/sandbox/pairing-code').set(auth()).send({ phoneNumber: phone, code: pairing.body.code }).expect(200);
    const connected = await feed.waitFor('session.status', (payload) => payload.sessionId === sessionId && payload.status === 'connected');
    expect(connected.phoneNumber).toBe(phone);
  });

  it('stops sending to new contacts after a 463 answer and keeps existing chats working', async () => {
    const { sessionId, customer } = await linkedWithHistory();
    await fault(sessionId, 'restrict');

    const stranger = await newCustomerOnWhatsApp();
    const blocked = await api().post(`/api/sessions/${sessionId}/messages`).set(auth()).send({ to: stranger, content: 'Oferta' }).expect(201);
    await feed.waitFor('message.updated', (payload) => payload.id === blocked.body.id && payload.status === 'failed' && payload.error?.code === 'REACH_OUT_LOCKED');
    const session = await sessionStatus(server, token, sessionId);
    expect(new Date(session.reachOutLockedUntil).getTime()).toBeGreaterThan(Date.now());

    const refused = await api().post(`/api/sessions/${sessionId}/messages`).set(auth()).send({ to: await newCustomerOnWhatsApp(), content: 'Oferta' }).expect(409);
    expect(refused.body).toMatchObject({ code: 'REACH_OUT_LOCKED', lockedUntil: session.reachOutLockedUntil });

    const allowed = await api().post(`/api/sessions/${sessionId}/messages`).set(auth()).send({ to: customer, content: 'Respuesta a quien escribió' }).expect(201);
    await feed.waitFor('message.updated', (payload) => payload.id === allowed.body.id && payload.status === 'delivered');
  });

  it('expires unscanned QR codes and starts over on connect', async () => {
    const created = await api().post('/api/sessions').set(auth()).send({ name: 'Sin escanear' }).expect(201);
    const sessionId = created.body.id as string;
    await server.close();
    server = await startTestServer(environment, { QR_TIMEOUT_MS: '1000' });
    token = await login(server);
    feed.close();
    feed = new FeedClient(server.url, token);
    await feed.connected();
    const statuses = watchStatuses(sessionId);

    await api().post(`/api/sessions/${sessionId}/connect`).set(auth()).expect(202);
    await eventually(async () => (statuses().at(-1) === 'qr_expired' ? true : undefined), 20_000);

    expect(statuses()).toEqual(['connecting', 'qr', 'qr_expired']);
    const gone = await api().get(`/api/sessions/${sessionId}/qr`).set(auth()).expect(410);
    expect(gone.body.code).toBe('QR_EXPIRED');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(statuses().at(-1)).toBe('qr_expired');

    const qrCountBefore = feed.events.filter((entry) => entry.event === 'session.qr' && entry.payload.sessionId === sessionId).length;
    await api().post(`/api/sessions/${sessionId}/connect`).set(auth()).expect(202);
    await eventually(async () => (feed.events.filter((entry) => entry.event === 'session.qr' && entry.payload.sessionId === sessionId).length > qrCountBefore ? true : undefined));
    const fresh = await api().get(`/api/sessions/${sessionId}/qr`).set(auth());
    expect([200, 404]).toContain(fresh.status);
    await api().post(`/api/sessions/${sessionId}/disconnect`).set(auth()).expect(200);
  });

  it('survives 20 drops in a row with one socket at a time', async () => {
    const { sessionId, phone, customer } = await linkedWithHistory();
    const statuses = watchStatuses(sessionId);
    const reconnectDelays: number[] = [];

    for (let drop = 0; drop < 20; drop += 1) {
      const response = await api().post('/api/sandbox/faults').set(auth()).send({ sessionId, kind: 'drop' }).expect(200);
      expect(response.body.connections).toBe(1);
      const droppedAt = Date.now();
      await eventually(async () => ((await sessionStatus(server, token, sessionId)).status === 'reconnecting' ? true : undefined), 5000, 10);

      if (drop === 10) {
        // During one outage a contact writes and the API queues a reply.
        const written = await fetch(new URL('/control/messages', simulator.simulator.controlUrl), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ from: customer, to: phone, content: 'Escribo durante el corte' }),
        });
        expect([written.status, await written.text()]).toEqual([201, expect.any(String)]);
        const queued = await api().post(`/api/sessions/${sessionId}/messages`).set(auth()).send({ to: customer, content: 'Respuesta en cola' }).expect(201);
        expect(queued.body.status).toBe('queued');
      }

      await eventually(async () => (statuses().filter((status) => status === 'connected').length > drop ? true : undefined), 10_000, 10);
      reconnectDelays.push(Date.now() - droppedAt);
      // Each connection lives a moment before the next drop. Baileys rc14 loses a message whose
      // connection dies after it decrypted the message and before it sent the receipt.
      await new Promise((resolve) => setTimeout(resolve, 300));
    }

    expect(statuses().filter((status) => status === 'reconnecting')).toHaveLength(20);
    expect(statuses().filter((status) => status === 'connected')).toHaveLength(20);
    // Every reconnect waited at least the first backoff step (base delay minus its 20% jitter).
    for (const delay of reconnectDelays) expect(delay).toBeGreaterThanOrEqual(RECONNECT_BASE_MS * 0.8);

    await feed.waitFor('message.created', (payload) => payload.message.content === 'Escribo durante el corte');
    const inbox = await waitForInbox(server, token, customer, (entries) => entries.some((entry) => entry.content === 'Respuesta en cola'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await waitForInbox(server, token, customer, () => true)).filter((entry) => entry.content === 'Respuesta en cola')).toHaveLength(1);
    expect(inbox.length).toBeGreaterThan(0);

    const { rows } = await withClient(environment.database.url, (client) => client.query("select count(*)::int as count from messages where session_id = $1 and content = 'Escribo durante el corte'", [sessionId]));
    expect(rows[0].count).toBe(1);
  });
});
