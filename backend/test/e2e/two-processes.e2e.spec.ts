import request from 'supertest';
import type { RunningServer } from '../../src/bootstrap';
import { SessionLeases } from '../../src/cluster/session-leases';
import { ConnectionManager } from '../../src/whatsapp-sessions/connection-manager.service';
import { linkNewSession, sessionStatus, waitForInbox } from '../setup/flows';
import { startTestSimulator } from '../setup/simulator';
import { createTestEnvironment, eventually, FeedClient, login, startTestServer, TestEnvironment } from '../setup/test-app';
import { withClient } from '../setup/test-database';

const BUSINESS = '+573000000021';
const CUSTOMER = '+573000000022';
const LEASE_TTL_MS = 2000;

describe('Two app processes on one database', () => {
  let environment: TestEnvironment;
  let simulator: Awaited<ReturnType<typeof startTestSimulator>>;
  let first: RunningServer | undefined;
  let second: RunningServer | undefined;
  const feeds: FeedClient[] = [];

  beforeAll(async () => {
    simulator = await startTestSimulator();
    environment = await createTestEnvironment({ SIMULATOR_URL: simulator.simulator.controlUrl, LEASE_TTL_MS: String(LEASE_TTL_MS), OUTBOX_JITTER_MS: '0' });
  });

  afterAll(async () => {
    feeds.forEach((feed) => feed.close());
    await second?.close();
    await first?.close();
    await simulator?.stop();
    await environment?.cleanup();
  });

  async function feedOn(server: RunningServer, token: string): Promise<FeedClient> {
    const feed = new FeedClient(server.url, token);
    feeds.push(feed);
    await feed.connected();
    return feed;
  }

  async function leaseOwner(sessionId: string): Promise<string | undefined> {
    const { rows } = await withClient(environment.database.url, (client) => client.query('select owner_id from session_leases where session_id = $1 and expires_at > now()', [sessionId]));
    return rows[0]?.owner_id;
  }

  it('connects each session once, shares events and sends, and hands a session over when its owner stops', async () => {
    first = await startTestServer(environment);
    const tokenFirst = await login(first);
    const feedFirst = await feedOn(first, tokenFirst);
    const sessionId = await linkNewSession(first, tokenFirst, feedFirst, BUSINESS);

    second = await startTestServer(environment);
    const tokenSecond = await login(second);
    const feedSecond = await feedOn(second, tokenSecond);
    const firstId = first.app.get(SessionLeases).instanceId;
    const secondId = second.app.get(SessionLeases).instanceId;

    // Give the second process several takeover rounds: it must leave the owned session alone.
    await new Promise((resolve) => setTimeout(resolve, LEASE_TTL_MS * 1.5));
    expect(await leaseOwner(sessionId)).toBe(firstId);
    expect(first.app.get(ConnectionManager).isOwner(sessionId)).toBe(true);
    expect(second.app.get(ConnectionManager).isOwner(sessionId)).toBe(false);
    expect((await sessionStatus(second, tokenSecond, sessionId)).status).toBe('connected');

    // An inbound message stored by the owner reaches panel clients of both processes.
    await request(second.url).post('/api/sandbox/messages').set({ Authorization: `Bearer ${tokenSecond}` }).send({ from: CUSTOMER, to: BUSINESS, content: 'Hola a los dos' }).expect(201);
    await feedFirst.waitFor('message.created', (payload) => payload.message.content === 'Hola a los dos');
    await feedSecond.waitFor('message.created', (payload) => payload.message.content === 'Hola a los dos');

    // A send through the process that does not own the session goes out once, through the owner.
    const sent = await request(second.url).post(`/api/sessions/${sessionId}/messages`).set({ Authorization: `Bearer ${tokenSecond}` }).send({ to: CUSTOMER, content: 'Respuesta por el segundo' }).expect(201);
    await feedSecond.waitFor('message.updated', (payload) => payload.id === sent.body.id && payload.status === 'delivered');
    const inbox = await waitForInbox(second, tokenSecond, CUSTOMER, (entries) => entries.some((entry) => entry.content === 'Respuesta por el segundo'));
    expect(inbox.filter((entry) => entry.content === 'Respuesta por el segundo')).toHaveLength(1);

    // Connect through the non-owner is routed to the owner and stays idempotent.
    await request(second.url).post(`/api/sessions/${sessionId}/connect`).set({ Authorization: `Bearer ${tokenSecond}` }).expect(202);
    expect(feedSecond.events.filter((entry) => entry.event === 'session.status').map((entry) => entry.payload.status)).toEqual([]);

    // The owner stops: the other process takes the session over within the lease time.
    const stoppedAt = Date.now();
    await first.close();
    first = undefined;
    await eventually(async () => ((await leaseOwner(sessionId)) === secondId && second!.app.get(ConnectionManager).readySocket(sessionId) ? true : undefined), LEASE_TTL_MS * 5);
    expect(Date.now() - stoppedAt).toBeLessThan(LEASE_TTL_MS * 2);

    await request(second.url).post('/api/sandbox/messages').set({ Authorization: `Bearer ${tokenSecond}` }).send({ from: CUSTOMER, to: BUSINESS, content: 'Sigues ahí?' }).expect(201);
    await feedSecond.waitFor('message.created', (payload) => payload.message.content === 'Sigues ahí?');
    expect(feedSecond.events.filter((entry) => entry.event === 'session.qr')).toHaveLength(0);
  });
});
