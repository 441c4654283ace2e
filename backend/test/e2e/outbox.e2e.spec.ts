import request from 'supertest';
import type { RunningServer } from '../../src/bootstrap';
import { ConnectionManager } from '../../src/whatsapp-sessions/connection-manager.service';
import { linkNewSession, sessionStatus, waitForInbox } from '../setup/flows';
import { startTestSimulator } from '../setup/simulator';
import { createTestEnvironment, eventually, FeedClient, login, startTestServer, TestEnvironment } from '../setup/test-app';

const BUSINESS = '+573000000011';
const ANA = '+573000000012';
const LUIS = '+573000000013';
const CARMEN = '+573000000016';
const SESSION_GAP_MS = 300;
const CHAT_GAP_MS = 700;

describe('Outbox: queued sends, idempotency and pacing', () => {
  let environment: TestEnvironment;
  let simulator: Awaited<ReturnType<typeof startTestSimulator>>;
  let server: RunningServer;
  let token: string;
  let feed: FeedClient;
  let sessionId: string;
  const auth = () => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    simulator = await startTestSimulator();
    environment = await createTestEnvironment({
      SIMULATOR_URL: simulator.simulator.controlUrl,
      OUTBOX_SESSION_GAP_MS: String(SESSION_GAP_MS),
      OUTBOX_CHAT_GAP_MS: String(CHAT_GAP_MS),
      OUTBOX_JITTER_MS: '100',
      RECONNECT_MAX_ATTEMPTS: '4',
    });
    server = await startTestServer(environment);
    token = await login(server);
    feed = new FeedClient(server.url, token);
    await feed.connected();
    sessionId = await linkNewSession(server, token, feed, BUSINESS);
    // The customers have WhatsApp, so the number check at send time finds them.
    for (const [phoneNumber, name] of [[ANA, 'Ana'], [LUIS, 'Luis'], [CARMEN, 'Carmen']]) {
      await request(server.url).post('/api/sandbox/contacts').set(auth()).send({ phoneNumber, name }).expect(201);
    }
  });

  afterAll(async () => {
    feed?.close();
    await server?.close();
    await simulator?.stop();
    await environment?.cleanup();
  });

  it('returns the first result for a retried request with the same Idempotency-Key', async () => {
    const send = () =>
      request(server.url).post(`/api/sessions/${sessionId}/messages`).set(auth()).set('Idempotency-Key', 'order-42-confirmation').send({ to: ANA, content: 'Tu pedido 42 está listo' });

    const [first, second] = await Promise.all([send().expect(201), send().expect(201)]);
    const third = await send().expect(201);
    expect(second.body.id).toBe(first.body.id);
    expect(third.body.id).toBe(first.body.id);

    const inbox = await waitForInbox(server, token, ANA, (entries) => entries.some((entry) => entry.content === 'Tu pedido 42 está listo'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const again = await waitForInbox(server, token, ANA, () => true);
    expect(again.filter((entry) => entry.content === 'Tu pedido 42 está listo')).toHaveLength(1);
    expect(inbox.length).toBeGreaterThan(0);
  });

  it('rejects a malformed Idempotency-Key', async () => {
    const response = await request(server.url).post(`/api/sessions/${sessionId}/messages`).set(auth()).set('Idempotency-Key', 'has spaces').send({ to: ANA, content: 'x' }).expect(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
  });

  it('never sends faster than the configured gaps', async () => {
    await new Promise((resolve) => setTimeout(resolve, CHAT_GAP_MS + 200));
    const handOffs: { at: number; jid: string }[] = [];
    const connections = server.app.get(ConnectionManager);
    const original = connections.send.bind(connections);
    const spy = jest.spyOn(connections, 'send').mockImplementation(async (session, jid, content, id, quoted) => {
      handOffs.push({ at: Date.now(), jid });
      return original(session, jid, content, id, quoted);
    });

    const recipients = [ANA, LUIS, ANA, ANA, LUIS, ANA];
    const results = [];
    for (const [index, to] of recipients.entries()) {
      results.push((await request(server.url).post(`/api/sessions/${sessionId}/messages`).set(auth()).send({ to, content: `ritmo ${index}` }).expect(201)).body);
    }
    expect(results.some((result) => result.status === 'queued' && result.waMessageId === null)).toBe(true);

    await eventually(async () => (handOffs.length === recipients.length ? true : undefined), 20_000);
    spy.mockRestore();

    for (let index = 1; index < handOffs.length; index += 1) {
      expect(handOffs[index].at - handOffs[index - 1].at).toBeGreaterThanOrEqual(SESSION_GAP_MS);
    }
    for (const jid of new Set(handOffs.map((handOff) => handOff.jid))) {
      const times = handOffs.filter((handOff) => handOff.jid === jid).map((handOff) => handOff.at);
      for (let index = 1; index < times.length; index += 1) expect(times[index] - times[index - 1]).toBeGreaterThanOrEqual(CHAT_GAP_MS);
    }

    const anaInbox = await waitForInbox(server, token, ANA, (entries) => entries.filter((entry) => entry.content.startsWith('ritmo')).length === 4);
    expect(anaInbox.filter((entry) => entry.content.startsWith('ritmo')).map((entry) => entry.content)).toEqual(['ritmo 0', 'ritmo 2', 'ritmo 3', 'ritmo 5']);
  });

  it('keeps the gaps after a slow hand-off', async () => {
    // A slow hand-off (a device lookup, a media upload, a busy CPU) holds up the session's send chain,
    // so the next message reaches Baileys later than it left the outbox. The one after it must still
    // wait the full gaps after that late hand-off.
    await new Promise((resolve) => setTimeout(resolve, CHAT_GAP_MS + 200));
    const handOffs: { at: number; jid: string }[] = [];
    const connections = server.app.get(ConnectionManager);
    const original = connections.send.bind(connections);
    const spy = jest.spyOn(connections, 'send').mockImplementation(async (session, jid, content, id, quoted) => {
      handOffs.push({ at: performance.now(), jid });
      const sent = await original(session, jid, content, id, quoted);
      if (handOffs.length === 1) await new Promise((resolve) => setTimeout(resolve, SESSION_GAP_MS * 2.5));
      return sent;
    });

    const recipients = [ANA, LUIS, CARMEN, ANA, LUIS, CARMEN];
    for (const [index, to] of recipients.entries()) {
      await request(server.url).post(`/api/sessions/${sessionId}/messages`).set(auth()).send({ to, content: `lento ${index}` }).expect(201);
    }
    await eventually(async () => (handOffs.length === recipients.length ? true : undefined), 20_000);
    spy.mockRestore();

    const sessionGaps = handOffs.slice(1).map((handOff, index) => handOff.at - handOffs[index].at);
    expect(Math.min(...sessionGaps)).toBeGreaterThanOrEqual(SESSION_GAP_MS);
    for (const jid of new Set(handOffs.map((handOff) => handOff.jid))) {
      const times = handOffs.filter((handOff) => handOff.jid === jid).map((handOff) => handOff.at);
      for (let index = 1; index < times.length; index += 1) expect(times[index] - times[index - 1]).toBeGreaterThanOrEqual(CHAT_GAP_MS);
    }
  });

  it('queues while the session is reconnecting and delivers once when it is back', async () => {
    await simulator.stopServerOnly();
    await eventually(async () => ((await sessionStatus(server, token, sessionId)).status === 'reconnecting' ? true : undefined));

    const queued = await request(server.url).post(`/api/sessions/${sessionId}/messages`).set(auth()).send({ to: LUIS, content: 'Te escribo durante el corte' }).expect(201);
    expect(queued.body).toMatchObject({ status: 'queued', waMessageId: null });

    await simulator.restartServerOnly();
    await feed.waitFor('session.status', (payload) => payload.sessionId === sessionId && payload.status === 'connected' && feed.events.some((entry) => entry.event === 'session.status' && entry.payload.status === 'reconnecting'));

    const inbox = await waitForInbox(server, token, LUIS, (entries) => entries.some((entry) => entry.content === 'Te escribo durante el corte'));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const later = await waitForInbox(server, token, LUIS, () => true);
    expect(later.filter((entry) => entry.content === 'Te escribo durante el corte')).toHaveLength(1);
    expect(inbox.find((entry) => entry.content === 'Te escribo durante el corte').waMessageId).toEqual(expect.any(String));
  });

  it('refuses sends on a logged-out session with SESSION_LOGGED_OUT', async () => {
    await request(server.url).post(`/api/sessions/${sessionId}/disconnect`).set(auth()).expect(200);
    const response = await request(server.url).post(`/api/sessions/${sessionId}/messages`).set(auth()).send({ to: ANA, content: 'hola' }).expect(409);
    expect(response.body.code).toBe('SESSION_LOGGED_OUT');
  });

  it('gives up after the configured reconnection attempts and marks the session failed', async () => {
    const other = await linkNewSession(server, token, feed, '+573000000014', 'Otra');
    await simulator.stopServerOnly();
    try {
      await feed.waitFor('session.status', (payload) => payload.sessionId === other && payload.status === 'failed', 20_000);
      const session = await sessionStatus(server, token, other);
      expect(session).toMatchObject({ status: 'failed', lastError: { code: 'RECONNECT_LIMIT' } });
      const reconnecting = feed.events.filter((entry) => entry.event === 'session.status' && entry.payload.sessionId === other && entry.payload.status === 'reconnecting');
      expect(reconnecting).toHaveLength(1);
    } finally {
      await simulator.restartServerOnly();
    }
  });
});
