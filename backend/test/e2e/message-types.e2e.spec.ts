import request from 'supertest';
import type { RunningServer } from '../../src/bootstrap';
import { linkNewSession } from '../setup/flows';
import { startTestSimulator } from '../setup/simulator';
import { createTestEnvironment, eventually, FeedClient, login, startTestServer, TestEnvironment } from '../setup/test-app';

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

  it('never shows a LID as a phone number', async () => {
    const waMessageId = await customerSends({ content: 'Sin número', addressing: 'lid-without-pn' }, '+573000000054');
    const stored = await storedByWaId(waMessageId);
    const conversation = await request(server.url).get(`/api/conversations/${stored.conversationId}`).set(auth()).expect(200);
    expect(conversation.body.contact.phoneNumber).toBeNull();
  });
});
