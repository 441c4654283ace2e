import * as argon2 from 'argon2';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { RunningServer } from '../../src/bootstrap';
import { InboundMessageHandler } from '../../src/messages/inbound-message.handler';
import { DatabaseStoredMessageLookup } from '../../src/messages/stored-message.lookup';
import { WhatsAppEvents } from '../../src/whatsapp-sessions/whatsapp-events';
import { createTestEnvironment, FeedClient, login, startTestServer, TestEnvironment } from '../setup/test-app';
import { withClient } from '../setup/test-database';
import { runInTenant, TenantScopeError } from '../../src/common/tenant-context';

const OTHER_EMAIL = 'other@tenant-b.test';
const OTHER_PASSWORD = 'another-long-password';

/** An inbound text as Baileys hands it over in `messages.upsert`. */
function inboundText(id: string, text: string) {
  return {
    key: { remoteJid: '573000000002@s.whatsapp.net', fromMe: false, id },
    message: { conversation: text },
    messageTimestamp: Math.floor(Date.now() / 1000),
    pushName: 'Ana',
  };
}

describe('Access control, validation and idempotent storage', () => {
  let environment: TestEnvironment;
  let server: RunningServer;
  let tokenA: string;
  let tokenB: string;
  let sessionA: string;
  let conversationA: string;

  const api = () => request(server.url);

  beforeAll(async () => {
    // Live mode with no connect call: nothing leaves this machine, and sandbox routes do not exist.
    environment = await createTestEnvironment({ WHATSAPP_MODE: 'live' });
    server = await startTestServer(environment);
    tokenA = await login(server);

    const passwordHash = await argon2.hash(OTHER_PASSWORD, { type: argon2.argon2id });
    await withClient(environment.database.url, async (client) => {
      const tenantId = randomUUID();
      await client.query(`insert into tenants (id, name) values ($1, 'Tenant B')`, [tenantId]);
      await client.query(`insert into users (id, tenant_id, email, name, password_hash, role) values ($1, $2, $3, 'Bea', $4, 'admin')`, [
        randomUUID(),
        tenantId,
        OTHER_EMAIL,
        passwordHash,
      ]);
    });
    tokenB = await login(server, OTHER_EMAIL, OTHER_PASSWORD);

    sessionA = (await api().post('/api/sessions').set('Authorization', `Bearer ${tokenA}`).send({ name: 'A' }).expect(201)).body.id;
  });

  afterAll(async () => {
    await server?.close();
    await environment?.cleanup();
  });

  describe('unauthenticated access', () => {
    it.each([
      ['get', '/api/sessions'],
      ['post', '/api/sessions'],
      ['get', '/api/conversations'],
      ['get', '/api/messages'],
      ['post', '/api/whatsapp/connect'],
      ['get', '/api/health/details'],
    ] as const)('refuses %s %s without a token', async (method, path) => {
      const response = await api()[method](path).expect(401);
      expect(response.body).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
    });

    it('refuses tampered and unsigned tokens', async () => {
      const [header, payload] = tokenA.split('.');
      const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
      const forged = `${header}.${payload}.${Buffer.from('forged-signature').toString('base64url')}`;
      for (const token of [unsigned, forged, 'not-a-token']) {
        await api().get('/api/sessions').set('Authorization', `Bearer ${token}`).expect(401);
      }
    });

    it('keeps health public and free of tenant data', async () => {
      const response = await api().get('/api/health').expect(200);
      expect(response.body).toEqual({ status: 'ok', database: 'up', sessions: { disconnected: 1 } });
    });

    it('rejects wrong passwords with a generic error', async () => {
      const wrong = await api().post('/api/auth/login').send({ email: OTHER_EMAIL, password: 'wrong-password' }).expect(401);
      const unknown = await api().post('/api/auth/login').send({ email: 'nobody@nowhere.test', password: 'wrong-password' }).expect(401);
      expect(wrong.body).toEqual(unknown.body);
      expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
    });

    it.each([
      ['no token', undefined, /UNAUTHORIZED/],
      ['a forged token', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl', /invalid or expired/],
    ])('refuses Socket.IO clients with %s', async (_name, token, message) => {
      const feed = new FeedClient(server.url, token);
      await expect(feed.connected()).rejects.toThrow(message);
      feed.close();
    });
  });

  describe('input validation', () => {
    const auth = () => ({ Authorization: `Bearer ${tokenA}` });

    it('names the invalid field', async () => {
      const response = await api().post('/api/sessions').set(auth()).send({}).expect(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'name' })]));

      const extra = await api().post('/api/sessions').set(auth()).send({ name: 'x', admin: true }).expect(400);
      expect(extra.body.errors).toEqual([expect.objectContaining({ field: 'admin' })]);
    });

    it.each(['hola', '123', '+57 300', '++573001234567', '573001234567@g.us'])('rejects the recipient %j with INVALID_PHONE', async (to) => {
      const response = await api().post(`/api/sessions/${sessionA}/messages`).set(auth()).send({ to, content: 'hola' }).expect(400);
      expect(response.body).toMatchObject({ code: 'INVALID_PHONE' });
      expect(response.body.message).toContain(to);
    });

    it('answers 409 SESSION_NOT_CONNECTED for a session that was never linked', async () => {
      const response = await api().post(`/api/sessions/${sessionA}/messages`).set(auth()).send({ to: '+57 300 123 4567', content: 'hola' }).expect(409);
      expect(response.body.code).toBe('SESSION_NOT_CONNECTED');
    });

    it('answers 404 QR_NOT_AVAILABLE when no scan is awaited', async () => {
      const response = await api().get(`/api/sessions/${sessionA}/qr`).set(auth()).expect(404);
      expect(response.body.code).toBe('QR_NOT_AVAILABLE');
    });

    it('rejects malformed list parameters', async () => {
      await api().get('/api/conversations').query({ range: 'nope' }).set(auth()).expect(400);
      await api().get('/api/conversations').query({ sort: '["password","ASC"]' }).set(auth()).expect(400);
      await api().get('/api/messages').query({ filter: '{"conversationId":"../../etc"}' }).set(auth()).expect(400);
    });
  });

  describe('inbound storage', () => {
    it('stores the same WhatsApp message delivered twice, concurrently, once', async () => {
      const events = server.app.get(WhatsAppEvents);
      const handler = server.app.get(InboundMessageHandler);
      const message = inboundText('3EB0DUPLICATE0001', 'Hola!');
      const { rows: sessionRows } = await withClient(environment.database.url, (client) => client.query('select tenant_id from whatsapp_sessions where id = $1', [sessionA]));
      const tenantId = sessionRows[0].tenant_id as string;

      await Promise.all([
        events.emit({ type: 'messages.upsert', sessionId: sessionA, tenantId, messages: [message as never], upsertType: 'notify' }),
        events.emit({ type: 'messages.upsert', sessionId: sessionA, tenantId, messages: [message as never], upsertType: 'append' }),
      ]);
      await handler.idle();

      const conversations = await api().get('/api/conversations').set('Authorization', `Bearer ${tokenA}`).expect(200);
      expect(conversations.body).toHaveLength(1);
      expect(conversations.body[0]).toMatchObject({ unreadCount: 1, contact: { name: 'Ana', phoneNumber: '+573000000002' } });
      conversationA = conversations.body[0].id;

      const { rows } = await withClient(environment.database.url, (client) => client.query('select count(*)::int as count from messages where wa_message_id = $1', ['3EB0DUPLICATE0001']));
      expect(rows[0].count).toBe(1);
    });
  });

  describe('tenants and users', () => {
    const asA = () => ({ Authorization: `Bearer ${tokenA}` });

    it('lets a superadmin run tenants and their first admin, and nobody else', async () => {
      const created = await api().post('/api/tenants').set(asA()).send({ name: 'Panadería Sol', adminEmail: 'sol@panaderia.test', adminPassword: 'pan-de-bono-2026' }).expect(201);
      expect(created.body).toMatchObject({ name: 'Panadería Sol', status: 'active' });
      const listed = await api().get('/api/tenants').set(asA()).expect(200);
      expect(listed.headers['content-range']).toMatch(/^tenants 0-\d+\/\d+$/);

      const solToken = await login(server, 'sol@panaderia.test', 'pan-de-bono-2026');
      const asSol = { Authorization: `Bearer ${solToken}` };
      expect((await api().get('/api/tenants').set(asSol).expect(403)).body.code).toBe('FORBIDDEN');
      await api().post('/api/tenants').set(asSol).send({ name: 'x', adminEmail: 'x@x.test', adminPassword: 'password123' }).expect(403);

      const duplicate = await api().post('/api/tenants').set(asA()).send({ name: 'Otra', adminEmail: 'sol@panaderia.test', adminPassword: 'pan-de-bono-2026' }).expect(409);
      expect(duplicate.body.code).toBe('EMAIL_TAKEN');

      await api().patch(`/api/tenants/${created.body.id}`).set(asA()).send({ status: 'suspended' }).expect(200);
      await api().post('/api/auth/login').send({ email: 'sol@panaderia.test', password: 'pan-de-bono-2026' }).expect(401);
      await api().get('/api/users').set(asSol).expect(401);

      await api().delete(`/api/tenants/${created.body.id}`).set(asA()).expect(200);
      await api().get(`/api/tenants/${created.body.id}`).set(asA()).expect(404);
    });

    it('keeps roles in bounds when admins manage users', async () => {
      const asB = { Authorization: `Bearer ${tokenB}` };
      const raise = await api().post('/api/users').set(asB).send({ email: 'boss@tenant-b.test', name: 'Boss', password: 'boss-password', role: 'superadmin' }).expect(403);
      expect(raise.body.code).toBe('FORBIDDEN');

      const agent = await api().post('/api/users').set(asB).send({ email: 'agente@tenant-b.test', name: 'Agente', password: 'agente-password', role: 'agent' }).expect(201);
      expect(agent.body).toMatchObject({ role: 'agent', active: true });
      expect(agent.body).not.toHaveProperty('passwordHash');
      const agentToken = await login(server, 'agente@tenant-b.test', 'agente-password');
      await api().get('/api/users').set({ Authorization: `Bearer ${agentToken}` }).expect(403);
      await api().get('/api/conversations').set({ Authorization: `Bearer ${agentToken}` }).expect(200);

      const promote = await api().patch(`/api/users/${agent.body.id}`).set(asB).send({ role: 'superadmin' }).expect(403);
      expect(promote.body.code).toBe('FORBIDDEN');
      const self = (await api().get('/api/users').set(asB).expect(200)).body.find((user: { email: string }) => user.email === OTHER_EMAIL);
      expect((await api().patch(`/api/users/${self.id}`).set(asB).send({ active: false }).expect(422)).body.code).toBe('CANNOT_CHANGE_OWN_ACCESS');

      await api().delete(`/api/users/${agent.body.id}`).set(asB).expect(200);
      await api().get('/api/conversations').set({ Authorization: `Bearer ${agentToken}` }).expect(401);
      await api().get(`/api/users/${agent.body.id}`).set({ Authorization: `Bearer ${tokenA}` }).expect(404);
    });

    it('reads and updates the tenant settings', async () => {
      const settings = await api().get('/api/settings').set(asA()).expect(200);
      expect(settings.body).toMatchObject({ timeZone: 'America/Bogota', language: 'es', currency: 'COP' });
      const updated = await api().patch('/api/settings').set(asA()).send({ timeZone: 'America/Mexico_City', currency: 'MXN' }).expect(200);
      expect(updated.body).toMatchObject({ timeZone: 'America/Mexico_City', currency: 'MXN', language: 'es' });
      const invalid = await api().patch('/api/settings').set(asA()).send({ timeZone: 'Mars/Olympus', currency: 'pesos' }).expect(400);
      expect(invalid.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['currency', 'timeZone']);
      expect((await api().get('/api/settings').set(asA())).body.timeZone).toBe('America/Mexico_City');
    });
  });

  describe('stored messages for resends', () => {
    it('returns only the stored proto of a message of that session', async () => {
      const lookup = server.app.get(DatabaseStoredMessageLookup);
      const otherSession = randomUUID();
      let tenantId = '';
      await withClient(environment.database.url, async (client) => {
        const { rows } = await client.query('select tenant_id, conversation_id, chat_jid from messages where wa_message_id = $1', ['3EB0DUPLICATE0001']);
        const [{ conversation_id: conversationId, chat_jid: chatJid }] = rows;
        tenantId = rows[0].tenant_id;
        await client.query(
          `insert into messages (id, tenant_id, session_id, conversation_id, chat_jid, wa_message_id, direction, type, content, status, timestamp, payload)
           values ($1, $2, $3, $4, $5, '3EB0RESEND000001', 'out', 'text', 'Tu pedido', 'sent', now(), $6)`,
          [randomUUID(), tenantId, sessionA, conversationId, chatJid, JSON.stringify({ conversation: 'Tu pedido' })],
        );
        const otherTenant = randomUUID();
        await client.query(`insert into tenants (id, name) values ($1, 'Tenant C')`, [otherTenant]);
        await client.query(`insert into whatsapp_sessions (id, tenant_id, name) values ($1, $2, 'C')`, [otherSession, otherTenant]);
      });

      // Baileys calls the lookup from the session's socket, which runs in the session's tenant scope.
      const findProto = (sessionId: string, id: string) => runInTenant(tenantId, () => lookup.findProto(sessionId, { remoteJid: '573000000002@s.whatsapp.net', fromMe: true, id }));
      expect(await findProto(sessionA, '3EB0RESEND000001')).toEqual({ conversation: 'Tu pedido' });
      expect(await findProto(sessionA, '3EB0UNKNOWN00001')).toBeUndefined();
      expect(await findProto(otherSession, '3EB0RESEND000001')).toBeUndefined();
      await expect(lookup.findProto(sessionA, { remoteJid: '573000000002@s.whatsapp.net', fromMe: true, id: '3EB0RESEND000001' })).rejects.toThrow(TenantScopeError);
    });
  });

  describe('tenant isolation', () => {
    const asB = () => ({ Authorization: `Bearer ${tokenB}` });

    it('hides tenant A from tenant B', async () => {
      expect((await api().get('/api/sessions').set(asB()).expect(200)).body).toEqual([]);
      expect((await api().get('/api/conversations').set(asB()).expect(200)).body).toEqual([]);
      expect((await api().get('/api/messages').query({ filter: JSON.stringify({ conversationId: conversationA }) }).set(asB()).expect(200)).body).toEqual([]);
      await api().get(`/api/sessions/${sessionA}`).set(asB()).expect(404);
      await api().get(`/api/sessions/${sessionA}/qr`).set(asB()).expect(404);
      await api().get(`/api/conversations/${conversationA}`).set(asB()).expect(404);
      await api().get(`/api/conversations/${conversationA}/messages`).set(asB()).expect(404);
    });

    it('does not let tenant B act on tenant A', async () => {
      await api().post(`/api/sessions/${sessionA}/connect`).set(asB()).expect(404);
      await api().post(`/api/sessions/${sessionA}/disconnect`).set(asB()).expect(404);
      await api().delete(`/api/sessions/${sessionA}`).set(asB()).expect(404);
      await api().post(`/api/sessions/${sessionA}/messages`).set(asB()).send({ to: '+573001234567', content: 'x' }).expect(404);
      await api().post(`/api/conversations/${conversationA}/messages`).set(asB()).send({ content: 'x' }).expect(404);
      await api().post(`/api/conversations/${conversationA}/read`).set(asB()).expect(404);

      const session = await api().get(`/api/sessions/${sessionA}`).set('Authorization', `Bearer ${tokenA}`).expect(200);
      expect(session.body).toMatchObject({ name: 'A', status: 'disconnected' });
      const conversation = await api().get(`/api/conversations/${conversationA}`).set('Authorization', `Bearer ${tokenA}`).expect(200);
      expect(conversation.body.unreadCount).toBe(1);
    });

    it('does not send tenant A events to tenant B', async () => {
      const feedA = new FeedClient(server.url, tokenA);
      const feedB = new FeedClient(server.url, tokenB);
      await Promise.all([feedA.connected(), feedB.connected()]);

      await api().post(`/api/conversations/${conversationA}/read`).set('Authorization', `Bearer ${tokenA}`).expect(200);
      await feedA.waitFor('conversation.updated', (payload) => payload.conversation.id === conversationA);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(feedB.events).toEqual([]);

      feedA.close();
      feedB.close();
    });
  });
});
