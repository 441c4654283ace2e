import request from 'supertest';
import type { RunningServer } from '../../src/bootstrap';
import { linkNewSession, sessionStatus, waitForInbox } from '../setup/flows';
import { startTestSimulator } from '../setup/simulator';
import { createTestEnvironment, eventually, FeedClient, login, startTestServer, TestEnvironment } from '../setup/test-app';
import { withClient } from '../setup/test-database';

const BUSINESS = '+573000000071';

describe('Recipients on WhatsApp, read receipts, poll votes and history settings', () => {
  let environment: TestEnvironment;
  let simulator: Awaited<ReturnType<typeof startTestSimulator>>;
  let server: RunningServer;
  let token: string;
  let feed: FeedClient;
  let sessionId: string;
  const auth = () => ({ Authorization: `Bearer ${token}` });
  const api = () => request(server.url);

  beforeAll(async () => {
    simulator = await startTestSimulator();
    environment = await createTestEnvironment({ SIMULATOR_URL: simulator.simulator.controlUrl });
    server = await startTestServer(environment);
    token = await login(server);
    feed = new FeedClient(server.url, token);
    await feed.connected();
    sessionId = await linkNewSession(server, token, feed, BUSINESS);
  });

  afterAll(async () => {
    feed?.close();
    await server?.close();
    await simulator?.stop();
    await environment?.cleanup();
  });

  async function control(method: 'GET' | 'POST', path: string, body?: unknown): Promise<any> {
    const response = await fetch(new URL(path, simulator.simulator.controlUrl), {
      method,
      headers: body ? { 'content-type': 'application/json' } : undefined,
      body: body ? JSON.stringify(body) : undefined,
    });
    expect(response.ok).toBe(true);
    return response.json();
  }

  async function customerSends(from: string, body: Record<string, unknown>): Promise<any> {
    const sent = await api().post('/api/sandbox/messages').set(auth()).send({ from, to: BUSINESS, ...body }).expect(201);
    return eventually(async () => {
      const messages = await api().get('/api/messages').query({ range: '[0,499]' }).set(auth()).expect(200);
      return messages.body.find((message: { waMessageId: string }) => message.waMessageId === sent.body.waMessageId);
    });
  }

  async function messageRow(id: string): Promise<any> {
    const { rows } = await withClient(environment.database.url, (client) => client.query('select chat_jid, status, error, conversation_id from messages where id = $1', [id]));
    return rows[0];
  }

  describe('numbers checked with WhatsApp', () => {
    it('refuses a number without WhatsApp with 422 NOT_ON_WHATSAPP and stores nothing', async () => {
      const before = await withClient(environment.database.url, (client) => client.query('select count(*)::int as count from messages'));
      const response = await api().post(`/api/sessions/${sessionId}/messages`).set(auth()).send({ to: '+57 300 000 0079', content: 'hola' }).expect(422);

      expect(response.body.code).toBe('NOT_ON_WHATSAPP');
      expect(response.body.message).toContain('+57 300 000 0079 (read as +573000000079)');
      const after = await withClient(environment.database.url, (client) => client.query('select count(*)::int as count from messages'));
      expect(after.rows[0].count).toBe(before.rows[0].count);
    });

    it.each([
      ['a Mexican mobile kept with its old 1', '+5215512345678', '+52 55 1234 5678'],
      ['an Argentine mobile typed without its 9', '+5491123456789', '+54 11 2345-6789'],
      ['a Brazilian mobile registered before the ninth digit', '+551182345678', '+55 11 98234-5678'],
    ])('reaches %s and keeps one contact', async (_name, account, typed) => {
      await api().post('/api/sandbox/contacts').set(auth()).send({ phoneNumber: account, name: 'Cliente' }).expect(201);

      const sent = await api().post(`/api/sessions/${sessionId}/messages`).set(auth()).send({ to: typed, content: `Hola ${typed}` }).expect(201);
      const inbox = await waitForInbox(server, token, account, (entries) => entries.some((entry) => entry.content === `Hola ${typed}`));
      expect(inbox.find((entry) => entry.content === `Hola ${typed}`).from).toBe(BUSINESS);
      expect((await messageRow(sent.body.id)).chat_jid).toBe(`${account.slice(1)}@s.whatsapp.net`);

      const answer = await customerSends(account, { content: 'Gracias' });
      expect(answer.conversationId).toBe(sent.body.conversationId);
      const conversation = await api().get(`/api/conversations/${sent.body.conversationId}`).set(auth()).expect(200);
      expect(conversation.body.contact.phoneNumber).toBe(account);
    });

    it('checks a number queued during an outage when the message leaves', async () => {
      const mexican = '+5215587654321';
      await api().post('/api/sandbox/contacts').set(auth()).send({ phoneNumber: mexican, name: 'Rosa' }).expect(201);
      await simulator.stopServerOnly();
      let down = true;
      try {
        await eventually(async () => ((await sessionStatus(server, token, sessionId)).status === 'reconnecting' ? true : undefined));
        const unknown = await api().post(`/api/sessions/${sessionId}/messages`).set(auth()).send({ to: '+57 300 000 0078', content: 'Nadie aquí' }).expect(201);
        const variant = await api().post(`/api/sessions/${sessionId}/messages`).set(auth()).send({ to: '+52 55 8765 4321', content: 'Hola Rosa' }).expect(201);
        expect([unknown.body.status, variant.body.status]).toEqual(['queued', 'queued']);

        await simulator.restartServerOnly();
        down = false;
        const failed = await feed.waitFor('message.updated', (payload) => payload.id === unknown.body.id && payload.status === 'failed', 30_000);
        expect(failed.error.code).toBe('NOT_ON_WHATSAPP');

        await waitForInbox(server, token, mexican, (entries) => entries.some((entry) => entry.content === 'Hola Rosa'), 30_000);
        const moved = await messageRow(variant.body.id);
        expect(moved.chat_jid).toBe('5215587654321@s.whatsapp.net');
        await feed.waitFor('conversation.merged', (payload) => payload.from === variant.body.conversationId && payload.into === moved.conversation_id);
        await api().get(`/api/conversations/${variant.body.conversationId}`).set(auth()).expect(404);
      } finally {
        if (down) await simulator.restartServerOnly();
      }
      await eventually(async () => ((await sessionStatus(server, token, sessionId)).status === 'connected' ? true : undefined), 30_000);
    });
  });

  describe('read receipts', () => {
    it('tells the customer their messages were read when the conversation is opened', async () => {
      const customer = '+573000000072';
      const stored = await customerSends(customer, { content: '¿Tienen pan integral?' });
      expect((await control('GET', `/control/sent/${customer}`)).find((entry: any) => entry.waMessageId === stored.waMessageId).readAt).toBeNull();

      await api().post(`/api/conversations/${stored.conversationId}/read`).set(auth()).expect(200);
      await eventually(async () => {
        const sent = await control('GET', `/control/sent/${customer}`);
        return sent.find((entry: any) => entry.waMessageId === stored.waMessageId)?.readAt ? true : undefined;
      });
    });

    it('sends no read receipt when the tenant turned them off', async () => {
      await api().put('/api/settings').set(auth()).send({ readReceipts: false }).expect(200);
      try {
        const customer = '+573000000073';
        const stored = await customerSends(customer, { content: 'Solo miro' });
        await api().post(`/api/conversations/${stored.conversationId}/read`).set(auth()).expect(200);
        // A marker message after the opening: once it is stored, a receipt for the first one would have arrived.
        await customerSends(customer, { content: 'marca' });
        const sent = await control('GET', `/control/sent/${customer}`);
        expect(sent.find((entry: any) => entry.waMessageId === stored.waMessageId).readAt).toBeNull();
      } finally {
        await api().put('/api/settings').set(auth()).send({ readReceipts: true }).expect(200);
      }
    });

    it('shows our message as read once the customer opens the chat in the sandbox', async () => {
      const customer = '+573000000074';
      const first = await customerSends(customer, { content: 'Hola' });
      const reply = await api().post(`/api/conversations/${first.conversationId}/messages`).set(auth()).send({ content: 'Hola, ¿qué necesitas?' }).expect(201);
      await waitForInbox(server, token, customer, (entries) => entries.some((entry) => entry.content === 'Hola, ¿qué necesitas?'));

      const read = await api().post('/api/sandbox/read').set(auth()).send({ phoneNumber: customer }).expect(200);
      expect(read.body.read).toBeGreaterThanOrEqual(1);
      await feed.waitFor('message.updated', (payload) => payload.id === reply.body.id && payload.status === 'read');
    });

    it('rejects a malformed number on the sandbox read route', async () => {
      const response = await api().post('/api/sandbox/read').set(auth()).send({ phoneNumber: '300 123' }).expect(400);
      expect(response.body.errors[0].field).toBe('phoneNumber');
    });
  });

  it('counts the votes customers give to our poll', async () => {
    const customer = '+573000000075';
    const first = await customerSends(customer, { content: 'Quiero pedir' });
    const poll = await api()
      .post(`/api/conversations/${first.conversationId}/messages`)
      .set(auth())
      .send({ type: 'poll', name: '¿Qué sabor?', options: ['Mango', 'Lulo', 'Mora'], multiple: true })
      .expect(201);
    const waMessageId = await eventually(async () => {
      const row = await api().get(`/api/messages/${poll.body.id}`).set(auth());
      return row.status === 200 && row.body.waMessageId && row.body.status !== 'pending' ? row.body.waMessageId : undefined;
    });
    await waitForInbox(server, token, customer, (entries) => entries.some((entry) => entry.waMessageId === waMessageId));

    await api().post('/api/sandbox/messages').set(auth()).send({ from: customer, to: BUSINESS, type: 'pollVote', waMessageId, options: ['Mango', 'Mora'] }).expect(201);
    const voted = await feed.waitFor('message.updated', (payload) => payload.id === poll.body.id && payload.data?.votes?.length === 1);
    expect(voted.data.votes[0]).toMatchObject({ by: `${customer.slice(1)}@s.whatsapp.net`, options: ['Mango', 'Mora'] });

    // A new vote replaces the voter's earlier one.
    await api().post('/api/sandbox/messages').set(auth()).send({ from: customer, to: BUSINESS, type: 'pollVote', waMessageId, options: ['Lulo'] }).expect(201);
    await feed.waitFor('message.updated', (payload) => payload.id === poll.body.id && payload.data?.votes?.[0]?.options?.[0] === 'Lulo');
    const stored = await api().get(`/api/messages/${poll.body.id}`).set(auth()).expect(200);
    expect(stored.body.data.votes).toEqual([expect.objectContaining({ options: ['Lulo'] })]);
  });

  it('stores a full history sync only for tenants that asked for it', async () => {
    const now = Math.floor(Date.now() / 1000);
    const push = (phoneNumber: string, content: string) =>
      control('POST', '/control/history', { phoneNumber: BUSINESS, syncType: 'full', contacts: [{ phoneNumber, name: 'Antigua', messages: [{ content, timestamp: now - 7200 }] }] });
    const stored = async (content: string) => {
      const { rows } = await withClient(environment.database.url, (client) => client.query('select count(*)::int as count from messages where content = $1', [content]));
      return rows[0].count as number;
    };

    // Recent chats always arrive; this initial sync shows when the full one before it was dropped.
    await push('+573000000076', 'Historia completa sin permiso');
    await control('POST', '/control/history', { phoneNumber: BUSINESS, contacts: [{ phoneNumber: '+573000000076', messages: [{ content: 'Historia reciente', timestamp: now - 60 }] }] });
    await eventually(async () => ((await stored('Historia reciente')) === 1 ? true : undefined));
    expect(await stored('Historia completa sin permiso')).toBe(0);

    await api().put('/api/settings').set(auth()).send({ fullHistorySync: true }).expect(200);
    try {
      // The setting applies to the socket the next time the session opens.
      await simulator.stopServerOnly();
      await simulator.restartServerOnly();
      await eventually(async () => ((await sessionStatus(server, token, sessionId)).status === 'connected' ? true : undefined), 30_000);
      await push('+573000000077', 'Historia completa con permiso');
      await eventually(async () => ((await stored('Historia completa con permiso')) === 1 ? true : undefined));
    } finally {
      await api().put('/api/settings').set(auth()).send({ fullHistorySync: false }).expect(200);
    }
  });
});
