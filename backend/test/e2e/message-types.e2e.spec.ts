import request from 'supertest';
import type { RunningServer } from '../../src/bootstrap';
import { linkNewSession } from '../setup/flows';
import { startTestSimulator } from '../setup/simulator';
import { createTestEnvironment, eventually, FeedClient, login, startTestServer, TestEnvironment } from '../setup/test-app';
import { withClient } from '../setup/test-database';

const BUSINESS = '+573000000051';
const CUSTOMER = '+573000000052';

describe('Inbound message types from a customer phone', () => {
  let environment: TestEnvironment;
  let simulator: Awaited<ReturnType<typeof startTestSimulator>>;
  let server: RunningServer;
  let token: string;
  let feed: FeedClient;
  const auth = () => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    simulator = await startTestSimulator();
    environment = await createTestEnvironment({ SIMULATOR_URL: simulator.simulator.controlUrl });
    server = await startTestServer(environment);
    token = await login(server);
    feed = new FeedClient(server.url, token);
    await feed.connected();
    await linkNewSession(server, token, feed, BUSINESS);
  });

  afterAll(async () => {
    feed?.close();
    await server?.close();
    await simulator?.stop();
    await environment?.cleanup();
  });

  /**
   * The customer's phone sends through the simulator's control API, which takes every message type
   * (the app's sandbox route takes plain text); resolves with the WhatsApp message id.
   */
  async function customerSends(body: Record<string, unknown>, from = CUSTOMER): Promise<string> {
    const response = await fetch(new URL('/control/messages', simulator.simulator.controlUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from, to: BUSINESS, ...body }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { waMessageId: string }).waMessageId;
  }

  async function storedByWaId(waMessageId: string): Promise<any> {
    return eventually(async () => {
      const messages = await request(server.url).get('/api/messages').query({ range: '[0,499]' }).set(auth()).expect(200);
      return messages.body.find((message: { waMessageId: string }) => message.waMessageId === waMessageId);
    });
  }

  it.each([
    ['a link preview', { type: 'text', content: 'Mira https://panaderia.test/menu', linkPreview: { url: 'https://panaderia.test/menu', title: 'Menú' } }, { type: 'text', content: 'Mira https://panaderia.test/menu', data: { linkPreview: { title: 'Menú' } } }],
    ['a location', { type: 'location', latitude: 4.65, longitude: -74.05, name: 'Casa' }, { type: 'location', content: 'Casa', data: { latitude: 4.65, longitude: -74.05 } }],
    ['a live location', { type: 'liveLocation', latitude: 4.6, longitude: -74.1 }, { type: 'liveLocation', data: { latitude: 4.6, longitude: -74.1 } }],
    ['a contact card', { type: 'contact', name: 'Luis', phoneNumber: '+573000000053' }, { type: 'contact', content: 'Luis' }],
    ['a poll', { type: 'poll', name: '¿Qué sabor?', options: ['Mango', 'Lulo'], multiple: false }, { type: 'poll', content: '¿Qué sabor?', data: { options: ['Mango', 'Lulo'], multiple: false } }],
    ['a button reply', { type: 'buttonReply', id: 'yes', title: 'Sí, confirmo' }, { type: 'buttonReply', content: 'Sí, confirmo', data: { id: 'yes' } }],
    ['a list reply', { type: 'listReply', id: 'delivery', title: 'Domicilio' }, { type: 'listReply', content: 'Domicilio', data: { id: 'delivery' } }],
  ])('stores %s with its data', async (_name, body, expected) => {
    const waMessageId = await customerSends(body);
    const stored = await storedByWaId(waMessageId);
    expect(stored).toMatchObject({ direction: 'in', ...expected });
    await feed.waitFor('message.created', (payload) => payload.message.waMessageId === waMessageId);
  });

  it('links a reply, attaches a reaction, and applies an edit and a delete to the original', async () => {
    const original = await customerSends({ content: 'Quiero 3 panes' });
    const originalRow = await storedByWaId(original);

    const reply = await customerSends({ type: 'text', content: 'Perdón, de queso', replyTo: original });
    expect((await storedByWaId(reply)).quotedMessageId).toBe(originalRow.id);

    await customerSends({ type: 'reaction', waMessageId: original, emoji: '🙏' });
    await feed.waitFor('message.updated', (payload) => payload.id === originalRow.id && payload.reactions?.some((reaction: { emoji: string }) => reaction.emoji === '🙏'));

    await customerSends({ type: 'edit', waMessageId: original, content: 'Quiero 5 panes' });
    await feed.waitFor('message.updated', (payload) => payload.id === originalRow.id && payload.content === 'Quiero 5 panes');

    await customerSends({ type: 'delete', waMessageId: reply });
    const replyRow = await storedByWaId(reply);
    await feed.waitFor('message.updated', (payload) => payload.id === replyRow.id && payload.deletedAt);

    const thread = await request(server.url).get(`/api/conversations/${originalRow.conversationId}/messages`).query({ range: '[0,499]' }).set(auth()).expect(200);
    const rows = thread.body.filter((message: { waMessageId: string }) => [original, reply].includes(message.waMessageId));
    expect(rows).toHaveLength(2);
    expect(thread.body.some((message: { type: string }) => ['reaction', 'edit', 'delete'].includes(message.type))).toBe(false);
  });

  it('keeps one contact whether the phone names the customer by number or by LID', async () => {
    const viaPhone = await customerSends({ content: 'Hola por número' });
    const viaLid = await customerSends({ content: 'Hola por LID', addressing: 'lid' });
    const first = await storedByWaId(viaPhone);
    const second = await storedByWaId(viaLid);
    expect(second.conversationId).toBe(first.conversationId);
  });

  it('lets sandbox users send typed messages and create customers', async () => {
    const created = await request(server.url).post('/api/sandbox/contacts').set(auth()).send({ phoneNumber: '+573000000057', name: 'Rosa' }).expect(201);
    expect(created.body).toMatchObject({ phoneNumber: '+573000000057', name: 'Rosa' });
    const sent = await request(server.url).post('/api/sandbox/messages').set(auth()).send({ from: '+573000000057', to: BUSINESS, type: 'location', latitude: 4.6, longitude: -74.1 }).expect(201);
    expect(await storedByWaId(sent.body.waMessageId)).toMatchObject({ type: 'location', data: { latitude: 4.6 } });
    const invalid = await request(server.url).post('/api/sandbox/messages').set(auth()).send({ from: '+573000000057', to: BUSINESS, type: 'teleport' }).expect(400);
    expect(invalid.body.errors[0].field).toBe('type');
  });

  it('never shows a LID as a phone number', async () => {
    const waMessageId = await customerSends({ content: 'Sin número', addressing: 'lid-without-pn' }, '+573000000054');
    const stored = await storedByWaId(waMessageId);
    const conversation = await request(server.url).get(`/api/conversations/${stored.conversationId}`).set(auth()).expect(200);
    expect(conversation.body.contact.phoneNumber).toBeNull();
  });

  it('merges a LID-only conversation into the phone-number one once WhatsApp reveals the number', async () => {
    const customer = '+573000000055';
    const hidden = await storedByWaId(await customerSends({ content: 'Escribo sin número', addressing: 'lid-without-pn' }, customer));
    const hiddenConversation = await request(server.url).get(`/api/conversations/${hidden.conversationId}`).set(auth()).expect(200);
    expect(hiddenConversation.body.contact.phoneNumber).toBeNull();

    // The business writes to the number: a second conversation, since nothing links the two yet.
    const outbound = await request(server.url).post(`/api/sessions/${hidden.sessionId}/messages`).set(auth()).send({ to: customer, content: 'Hola, ¿le ayudamos?' }).expect(201);
    expect(outbound.body.conversationId).not.toBe(hidden.conversationId);

    // A message that carries both the LID and the number joins them.
    const revealed = await storedByWaId(await customerSends({ content: 'Ahora con número', addressing: 'lid' }, customer));
    expect(revealed.conversationId).toBe(outbound.body.conversationId);
    expect(await feed.waitFor('conversation.merged', (payload) => payload.from === hidden.conversationId)).toEqual({ from: hidden.conversationId, into: outbound.body.conversationId });

    const conversation = await request(server.url).get(`/api/conversations/${revealed.conversationId}`).set(auth()).expect(200);
    expect(conversation.body.contact.phoneNumber).toBe(customer);
    const thread = await request(server.url).get(`/api/conversations/${revealed.conversationId}/messages`).set(auth()).expect(200);
    expect(thread.body.map((message: { content: string }) => message.content)).toEqual(['Escribo sin número', 'Hola, ¿le ayudamos?', 'Ahora con número']);
    await request(server.url).get(`/api/conversations/${hidden.conversationId}`).set(auth()).expect(404);

    const again = await storedByWaId(await customerSends({ content: 'Otra vez sin número', addressing: 'lid-without-pn' }, customer));
    expect(again.conversationId).toBe(revealed.conversationId);
  });

  it('stores a history sync without an event per message', async () => {
    const customer = '+573000000056';
    const now = Math.floor(Date.now() / 1000);
    const history = {
      phoneNumber: BUSINESS,
      contacts: [{ phoneNumber: customer, name: 'Marta', messages: [{ content: 'Pedido de ayer', timestamp: now - 3600 }, { fromMe: true, content: 'Listo, enviado', timestamp: now - 3500 }] }],
    };
    const push = async () => {
      const response = await fetch(new URL('/control/history', simulator.simulator.controlUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(history) });
      expect(response.status).toBe(201);
    };

    await push();
    const thread = await eventually(async () => {
      const conversations = await request(server.url).get('/api/conversations').query({ filter: JSON.stringify({ q: '573000000056' }) }).set(auth()).expect(200);
      if (conversations.body.length !== 1) return undefined;
      const messages = await request(server.url).get(`/api/conversations/${conversations.body[0].id}/messages`).set(auth()).expect(200);
      return messages.body.length === 2 ? messages.body : undefined;
    });
    expect(thread.map((message: { direction: string; content: string }) => [message.direction, message.content])).toEqual([
      ['in', 'Pedido de ayer'],
      ['out', 'Listo, enviado'],
    ]);
    expect(feed.events.some((entry) => entry.event === 'message.created' && ['Pedido de ayer', 'Listo, enviado'].includes(entry.payload.message.content))).toBe(false);
    await feed.waitFor('history.synced', (payload) => payload.messages === 2 && payload.conversations === 1);

    const { rows } = await withClient(environment.database.url, (client) =>
      client.query("select c.unread_count from conversations c join contacts ct on ct.id = c.contact_id where ct.phone_number = $1", [customer]),
    );
    expect(rows).toEqual([{ unread_count: 0 }]);
  });

  describe('outbound types', () => {
    let conversationId: string;
    let sessionId: string;

    beforeAll(async () => {
      const waMessageId = await customerSends({ content: 'Quiero hacer un pedido' });
      const stored = await storedByWaId(waMessageId);
      conversationId = stored.conversationId;
      sessionId = stored.sessionId;
    });

    /** Replies in the conversation and waits until WhatsApp has the message (it has an id there). */
    async function replyAndWait(body: Record<string, unknown>): Promise<{ id: string; waMessageId: string }> {
      const sent = await request(server.url).post(`/api/conversations/${conversationId}/messages`).set(auth()).send(body).expect(201);
      const waMessageId = await eventually(async () => {
        const rows = await request(server.url).get('/api/messages').query({ filter: JSON.stringify({ conversationId }), range: '[0,499]' }).set(auth()).expect(200);
        const row = rows.body.find((message: { id: string; status: string }) => message.id === sent.body.id && ['sent', 'delivered', 'read'].includes(message.status));
        return row?.waMessageId as string | undefined;
      });
      return { id: sent.body.id, waMessageId };
    }

    async function inboxEntry(waMessageId: string): Promise<any> {
      const entries = await waitForInboxEntries((list) => list.some((entry) => entry.waMessageId === waMessageId));
      return entries.find((entry) => entry.waMessageId === waMessageId);
    }

    async function waitForInboxEntries(predicate: (entries: any[]) => boolean): Promise<any[]> {
      return eventually(async () => {
        const inbox = await request(server.url).get(`/api/sandbox/inbox/${CUSTOMER}`).set(auth()).expect(200);
        return predicate(inbox.body) ? inbox.body : undefined;
      });
    }

    it.each([
      ['a location', { type: 'location', latitude: 4.65, longitude: -74.05, name: 'Panadería Sol' }, 'location'],
      ['a contact', { type: 'contact', name: 'Luis', phoneNumber: '+57 300 000 0053' }, 'contact'],
      ['a poll', { type: 'poll', name: '¿Qué sabor?', options: ['Mango', 'Lulo'], multiple: false }, 'poll'],
    ])('sends %s that reaches the customer', async (_name, body, type) => {
      const { waMessageId } = await replyAndWait(body);
      const entry = await inboxEntry(waMessageId);
      expect(entry.type).toBe(type);
    });

    it('sends a reply that quotes the customer message', async () => {
      const quoted = await storedByWaId(await customerSends({ content: '¿Hay domicilio?' }));
      const { waMessageId } = await replyAndWait({ content: 'Sí, hasta las 8', replyTo: quoted.id });
      const entry = await inboxEntry(waMessageId);
      expect(entry.quoted?.waMessageId).toBe(quoted.waMessageId);
      const stored = await storedByWaId(waMessageId);
      expect(stored.quotedMessageId).toBe(quoted.id);
    });

    it('reacts to a customer message without adding a bubble', async () => {
      const target = await storedByWaId(await customerSends({ content: 'Gracias!' }));
      const before = (await request(server.url).get(`/api/conversations/${conversationId}/messages`).query({ range: '[0,499]' }).set(auth())).body.length;
      await request(server.url).post(`/api/conversations/${conversationId}/messages`).set(auth()).send({ type: 'reaction', messageId: target.id, emoji: '❤️' }).expect(201);

      await feed.waitFor('message.updated', (payload) => payload.id === target.id && payload.reactions?.some((reaction: { by: string; emoji: string }) => reaction.by === 'me' && reaction.emoji === '❤️'));
      const after = (await request(server.url).get(`/api/conversations/${conversationId}/messages`).query({ range: '[0,499]' }).set(auth())).body;
      expect(after).toHaveLength(before);
      await waitForInboxEntries((entries) => entries.some((entry) => entry.type === 'reaction'));
    });

    it('edits and deletes our own text for everyone', async () => {
      const { id, waMessageId } = await replyAndWait({ content: 'Cuesta 5.000' });
      const edited = await request(server.url).patch(`/api/messages/${id}`).set(auth()).send({ content: 'Cuesta 4.500' }).expect(200);
      expect(edited.body).toMatchObject({ content: 'Cuesta 4.500', editedAt: expect.any(String) });
      await waitForInboxEntries((entries) => entries.some((entry) => entry.waMessageId === waMessageId && entry.edited));

      const deleted = await request(server.url).delete(`/api/messages/${id}`).set(auth()).expect(200);
      expect(deleted.body.deletedAt).toEqual(expect.any(String));
      await waitForInboxEntries((entries) => entries.some((entry) => entry.waMessageId === waMessageId && entry.deleted));

      const again = await request(server.url).delete(`/api/messages/${id}`).set(auth()).expect(409);
      expect(again.body.code).toBe('MESSAGE_DELETED');
      expect(sessionId).toEqual(expect.any(String));
    });

    it('rejects malformed typed messages with the field named', async () => {
      const missing = await request(server.url).post(`/api/conversations/${conversationId}/messages`).set(auth()).send({ type: 'location', latitude: 200 }).expect(400);
      expect([...new Set(missing.body.errors.map((error: { field: string }) => error.field))].sort()).toEqual(['latitude', 'longitude']);
      const poll = await request(server.url).post(`/api/conversations/${conversationId}/messages`).set(auth()).send({ type: 'poll', name: 'x', options: ['solo una'] }).expect(400);
      expect(poll.body.errors[0].field).toBe('options');
      const unknownTarget = await request(server.url).post(`/api/conversations/${conversationId}/messages`).set(auth()).send({ type: 'reaction', messageId: '00000000-0000-4000-8000-000000000000', emoji: '👍' }).expect(404);
      expect(unknownTarget.body.code).toBe('MESSAGE_NOT_FOUND');
      const tooLong = await request(server.url).post(`/api/conversations/${conversationId}/messages`).set(auth()).send({ content: 'a'.repeat(65_537) }).expect(422);
      expect(tooLong.body.code).toBe('MESSAGE_TOO_LONG');
    });
  });
});
