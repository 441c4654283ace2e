import request from 'supertest';
import type { RunningServer } from '../../src/bootstrap';
import { InboundMessageHandler } from '../../src/messages/inbound-message.handler';
import { WhatsAppEvents } from '../../src/whatsapp-sessions/whatsapp-events';
import { createTestEnvironment, FeedClient, login, startTestServer, TestEnvironment } from '../setup/test-app';
import { withClient } from '../setup/test-database';

const CUSTOMER_JID = '573000000042@s.whatsapp.net';

describe('Stored message types, reactions, edits and deletes', () => {
  let environment: TestEnvironment;
  let server: RunningServer;
  let token: string;
  let feed: FeedClient;
  let sessionId: string;
  let tenantId: string;
  let sequence = 0;

  beforeAll(async () => {
    // Live mode without connecting: the messages enter through the same event stream Baileys feeds.
    environment = await createTestEnvironment({ WHATSAPP_MODE: 'live' });
    server = await startTestServer(environment);
    token = await login(server);
    feed = new FeedClient(server.url, token);
    await feed.connected();
    sessionId = (await request(server.url).post('/api/sessions').set({ Authorization: `Bearer ${token}` }).send({ name: 'Tipos' }).expect(201)).body.id;
    const { rows } = await withClient(environment.database.url, (client) => client.query('select tenant_id from whatsapp_sessions where id = $1', [sessionId]));
    tenantId = rows[0].tenant_id;
  });

  afterAll(async () => {
    feed?.close();
    await server?.close();
    await environment?.cleanup();
  });

  /** Delivers one inbound message the way Baileys hands it over and waits until it is processed. */
  async function receive(message: Record<string, unknown>, id = `3EB0TYPE${String(++sequence).padStart(6, '0')}`, key: Record<string, unknown> = { remoteJid: CUSTOMER_JID }): Promise<string> {
    server.app.get(WhatsAppEvents).emit({
      type: 'messages.upsert',
      sessionId,
      tenantId,
      upsertType: 'notify',
      messages: [{ key: { fromMe: false, id, ...key }, message, messageTimestamp: Math.floor(Date.now() / 1000), pushName: 'Ana' } as never],
    });
    await server.app.get(InboundMessageHandler).idle();
    return id;
  }

  async function thread(): Promise<any[]> {
    const conversations = await request(server.url).get('/api/conversations').set({ Authorization: `Bearer ${token}` }).expect(200);
    const conversation = conversations.body.find((entry: { contact: { phoneNumber: string } }) => entry.contact.phoneNumber === '+573000000042');
    return (await request(server.url).get(`/api/conversations/${conversation.id}/messages`).set({ Authorization: `Bearer ${token}` }).query({ range: '[0,99]' }).expect(200)).body;
  }

  it('links a reply to the message it quotes', async () => {
    const original = await receive({ conversation: '¿Tienen pan de bono?' });
    await receive({ extendedTextMessage: { text: 'El de queso', contextInfo: { stanzaId: original, participant: CUSTOMER_JID } } });

    const messages = await thread();
    const quotedRow = messages.find((message) => message.waMessageId === original);
    expect(messages.find((message) => message.content === 'El de queso').quotedMessageId).toBe(quotedRow.id);
  });

  it('attaches reactions to their message and removes them with an empty emoji', async () => {
    const target = await receive({ conversation: 'Reacciona a esto' });
    const before = (await thread()).length;

    await receive({ reactionMessage: { key: { id: target, remoteJid: CUSTOMER_JID }, text: '❤️' } });
    const reacted = (await thread()).find((message) => message.waMessageId === target);
    expect(reacted.reactions).toEqual([expect.objectContaining({ by: CUSTOMER_JID, emoji: '❤️' })]);
    await feed.waitFor('message.updated', (payload) => payload.id === reacted.id && payload.reactions?.length === 1);

    await receive({ reactionMessage: { key: { id: target, remoteJid: CUSTOMER_JID }, text: '' } });
    expect((await thread()).find((message) => message.waMessageId === target).reactions).toEqual([]);
    expect(await thread()).toHaveLength(before);
  });

  it('updates an edited message and keeps its history', async () => {
    const target = await receive({ conversation: 'Quiero 3 panes' });
    await receive({ protocolMessage: { type: 14, key: { id: target, remoteJid: CUSTOMER_JID }, editedMessage: { conversation: 'Quiero 5 panes' } } });

    const edited = (await thread()).find((message) => message.waMessageId === target);
    expect(edited).toMatchObject({ content: 'Quiero 5 panes', editedAt: expect.any(String) });
    await feed.waitFor('message.updated', (payload) => payload.id === edited.id && payload.content === 'Quiero 5 panes');
    const { rows } = await withClient(environment.database.url, (client) => client.query('select edit_history from messages where id = $1', [edited.id]));
    expect(rows[0].edit_history).toEqual([expect.objectContaining({ content: 'Quiero 3 panes' })]);
  });

  it('marks a message deleted for everyone', async () => {
    const target = await receive({ conversation: 'Mensaje equivocado' });
    await receive({ protocolMessage: { type: 0, key: { id: target, remoteJid: CUSTOMER_JID } } });

    const deleted = (await thread()).find((message) => message.waMessageId === target);
    expect(deleted.deletedAt).toEqual(expect.any(String));
    await feed.waitFor('message.updated', (payload) => payload.id === deleted.id && payload.deletedAt);
  });

  it('stores locations, contact cards and unknown types with their data', async () => {
    await receive({ locationMessage: { degreesLatitude: 4.65, degreesLongitude: -74.05, name: 'Panadería Sol' } });
    await receive({ contactMessage: { displayName: 'Luis', vcard: 'BEGIN:VCARD\nFN:Luis\nEND:VCARD' } });
    await receive({ orderMessage: { orderId: '7' } });

    const messages = await thread();
    expect(messages.find((message) => message.type === 'location')).toMatchObject({ content: 'Panadería Sol', data: { latitude: 4.65, longitude: -74.05 } });
    expect(messages.find((message) => message.type === 'contact')).toMatchObject({ content: 'Luis', data: { contacts: [{ name: 'Luis' }] } });
    expect(messages.find((message) => message.type === 'unknown')).toMatchObject({ content: null, data: { messageType: 'orderMessage' } });
  });

  it('keeps a text with a NUL character', async () => {
    await receive({ conversation: 'antes\u0000después 🙂 你好' });
    expect((await thread()).some((message) => message.content === 'antes\uFFFDdespués 🙂 你好')).toBe(true);
  });

  describe('groups, statuses and channels', () => {
    const GROUP = '120363000000000001@g.us';
    const auth = () => ({ Authorization: `Bearer ${token}` });

    async function conversationsOf(filter: (conversation: any) => boolean): Promise<any[]> {
      const list = await request(server.url).get('/api/conversations').query({ range: '[0,199]' }).set(auth()).expect(200);
      return list.body.filter(filter);
    }

    it('stores group messages in a group conversation with their sender', async () => {
      await receive({ conversation: 'Hola grupo' }, undefined, { remoteJid: GROUP, participant: '573000000061@s.whatsapp.net' });
      await receive({ conversation: 'Hola de nuevo' }, undefined, { remoteJid: GROUP, participant: '123456789000061@lid', participantAlt: '573000000062@s.whatsapp.net' });

      const [group] = await conversationsOf((conversation) => conversation.group?.id === GROUP);
      expect(group).toMatchObject({ contact: null, group: { id: GROUP }, unreadCount: 2 });
      const thread = await request(server.url).get(`/api/conversations/${group.id}/messages`).set(auth()).expect(200);
      expect(thread.body.map((message: { content: string; senderJid: string }) => [message.content, message.senderJid])).toEqual([
        ['Hola grupo', '573000000061@s.whatsapp.net'],
        ['Hola de nuevo', '573000000062@s.whatsapp.net'],
      ]);
    });

    it('ignores statuses and channels by default and follows the tenant settings', async () => {
      await receive({ conversation: 'Mi estado' }, undefined, { remoteJid: 'status@broadcast', participant: '573000000063@s.whatsapp.net' });
      await receive({ conversation: 'Noticias' }, undefined, { remoteJid: '120363000000000002@newsletter' });
      expect(await conversationsOf((conversation) => ['status@broadcast', '120363000000000002@newsletter'].includes(conversation.group?.id))).toEqual([]);

      await request(server.url).patch('/api/settings').set(auth()).send({ statuses: 'store', groups: 'ignore' }).expect(200);
      await receive({ conversation: 'Otro estado' }, undefined, { remoteJid: 'status@broadcast', participant: '573000000063@s.whatsapp.net' });
      await receive({ conversation: 'Grupo ignorado' }, undefined, { remoteJid: '120363000000000003@g.us', participant: '573000000061@s.whatsapp.net' });

      expect(await conversationsOf((conversation) => conversation.group?.id === 'status@broadcast')).toHaveLength(1);
      expect(await conversationsOf((conversation) => conversation.group?.id === '120363000000000003@g.us')).toEqual([]);
      await request(server.url).patch('/api/settings').set(auth()).send({ statuses: 'ignore', groups: 'store' }).expect(200);
    });
  });
});
