import request from 'supertest';
import type { RunningServer } from '../../src/bootstrap';
import { InboundMessageHandler } from '../../src/messages/inbound-message.handler';
import { WhatsAppEvents } from '../../src/whatsapp-sessions/whatsapp-events';
import { linkNewSession } from '../setup/flows';
import { startTestSimulator } from '../setup/simulator';
import { createTestEnvironment, eventually, FeedClient, login, startTestServer, TestEnvironment } from '../setup/test-app';
import { withClient } from '../setup/test-database';

const BUSINESS = '+573000000081';
const WATCHDOG_MS = 2_000;

/**
 * How inbound messages survive the ways Baileys delivers them: a connection whose initial sync never
 * ends, offline backlogs replayed as `append`, the same message seen several times, and history syncs
 * of thousands of messages.
 */
describe('Inbound delivery: stalled syncs, backlogs, duplicates and history floods', () => {
  let environment: TestEnvironment;
  let simulator: Awaited<ReturnType<typeof startTestSimulator>>;
  let server: RunningServer;
  let token: string;
  let feed: FeedClient;
  let sessionId: string;
  let tenantId: string;
  const auth = () => ({ Authorization: `Bearer ${token}` });
  const api = () => request(server.url);

  beforeAll(async () => {
    simulator = await startTestSimulator();
    environment = await createTestEnvironment({ SIMULATOR_URL: simulator.simulator.controlUrl, SYNC_WATCHDOG_MS: String(WATCHDOG_MS), HISTORY_SYNC_DAYS: '3650' });
    server = await startTestServer(environment);
    token = await login(server);
    feed = new FeedClient(server.url, token);
    await feed.connected();
    sessionId = await linkNewSession(server, token, feed, BUSINESS);
    const { rows } = await withClient(environment.database.url, (client) => client.query('select tenant_id from whatsapp_sessions where id = $1', [sessionId]));
    tenantId = rows[0].tenant_id;
  });

  afterAll(async () => {
    feed?.close();
    await server?.close();
    await simulator?.stop();
    await environment?.cleanup();
  });

  async function query<T = any>(sql: string, params: unknown[] = []): Promise<T[]> {
    const { rows } = await withClient(environment.database.url, (client) => client.query(sql, params));
    return rows as T[];
  }

  /** Hands Baileys-shaped events to the app as a socket would, and waits until they are stored. */
  async function deliver(...events: Parameters<WhatsAppEvents['emit']>[0][]): Promise<void> {
    const bus = server.app.get(WhatsAppEvents);
    await Promise.all(events.map((event) => bus.emit(event)));
    await server.app.get(InboundMessageHandler).idle();
  }

  function text(id: string, from: string, content: string, timestamp = Math.floor(Date.now() / 1000), fromMe = false) {
    return { key: { remoteJid: `${from.slice(1)}@s.whatsapp.net`, fromMe, id }, message: { conversation: content }, messageTimestamp: timestamp, pushName: fromMe ? undefined : 'Cliente' } as never;
  }

  it('stores a message sent while the connection never finished its initial sync', async () => {
    const customer = '+573000000082';
    await api().post('/api/sandbox/faults').set(auth()).send({ sessionId, kind: 'silence' }).expect(200);
    const sent = await api().post('/api/sandbox/messages').set(auth()).send({ from: customer, to: BUSINESS, content: '¿Me atienden?' }).expect(201);

    const startedAt = Date.now();
    const created = await feed.waitFor('message.created', (payload) => payload.message.waMessageId === sent.body.waMessageId, WATCHDOG_MS * 6);
    expect(created.message).toMatchObject({ direction: 'in', content: '¿Me atienden?' });
    expect(Date.now() - startedAt).toBeLessThan(WATCHDOG_MS * 6);
    expect(environment.logs.lines.some((line) => line.includes('never finished its initial sync') && line.includes(sessionId))).toBe(true);
  });

  it('stores an offline backlog replayed as append with its original time, and skips our own echoes', async () => {
    const customer = '+573000000083';
    const tenMinutesAgo = Math.floor(Date.now() / 1000) - 600;
    await deliver({
      type: 'messages.upsert',
      sessionId,
      tenantId,
      upsertType: 'append',
      messages: [text('3A00000000000000000C01', customer, '¿siguen abiertos?', tenMinutesAgo), text('3A00000000000000000C02', customer, 'Eco nuestro', tenMinutesAgo, true)],
    });

    const rows = await query('select direction, content, timestamp, source from messages where wa_message_id in ($1, $2)', ['3A00000000000000000C01', '3A00000000000000000C02']);
    expect(rows).toEqual([{ direction: 'in', content: '¿siguen abiertos?', timestamp: new Date(tenMinutesAgo * 1000), source: 'backlog' }]);
    await feed.waitFor('message.created', (payload) => payload.message.waMessageId === '3A00000000000000000C01');
  });

  it('stores a message once whether it comes live, twice at once, or again in a history sync', async () => {
    const customer = '+573000000084';
    const message = text('3EB0C18DUPLICATE01', customer, 'Una sola vez');
    const before = feed.events.length;

    await deliver(
      { type: 'messages.upsert', sessionId, tenantId, upsertType: 'notify', messages: [message] },
      { type: 'messages.upsert', sessionId, tenantId, upsertType: 'notify', messages: [message] },
    );
    await deliver({ type: 'history.set', sessionId, tenantId, messages: [message] });

    expect(await query('select count(*)::int as count from messages where wa_message_id = $1', ['3EB0C18DUPLICATE01'])).toEqual([{ count: 1 }]);
    const created = feed.events.slice(before).filter((entry) => entry.event === 'message.created' && entry.payload.message.waMessageId === '3EB0C18DUPLICATE01');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(created.length).toBeLessThanOrEqual(1);
    await feed.waitFor('message.created', (payload) => payload.message.waMessageId === '3EB0C18DUPLICATE01');
  });

  it('stores a flood of history in batches with one summary event, recent chats first and the full sync only when asked', async () => {
    const chats = 300;
    const perChat = Math.ceil(10_000 / chats);
    const now = Math.floor(Date.now() / 1000);
    const flood = (prefix: string) =>
      Array.from({ length: chats * perChat }, (_, index) => {
        const chat = index % chats;
        return text(`${prefix}${String(index).padStart(6, '0')}`, `+5730010${String(chat).padStart(5, '0')}`, `${prefix} mensaje ${index}`, now - 86_400 - index);
      }).slice(0, 10_000);
    const before = feed.events.length;

    await deliver({ type: 'history.set', sessionId, tenantId, messages: flood('RECENT') });
    await deliver({ type: 'history.set', sessionId, tenantId, messages: flood('FULLSY'), full: true });

    expect(await query("select count(*)::int as count from messages where wa_message_id like 'RECENT%'")).toEqual([{ count: 10_000 }]);
    expect(await query("select count(*)::int as count from messages where wa_message_id like 'FULLSY%'")).toEqual([{ count: 0 }]);
    expect(await query("select count(distinct conversation_id)::int as count from messages where wa_message_id like 'RECENT%'")).toEqual([{ count: chats }]);

    await feed.waitFor('history.synced', (payload) => payload.sessionId === sessionId && payload.messages === 10_000 && payload.conversations === chats);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const flooded = feed.events.slice(before).filter((entry) => ['message.created', 'conversation.updated'].includes(entry.event));
    expect(flooded).toEqual([]);

    await api().put('/api/settings').set(auth()).send({ fullHistorySync: true }).expect(200);
    await deliver({ type: 'history.set', sessionId, tenantId, messages: flood('FULLSY'), full: true });
    expect(await query("select count(*)::int as count from messages where wa_message_id like 'FULLSY%'")).toEqual([{ count: 10_000 }]);
    expect(await query("select count(*)::int as count from messages where source = 'history' and wa_message_id like 'RECENT%'")).toEqual([{ count: 10_000 }]);
  }, 300_000);
});
