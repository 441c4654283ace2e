import * as argon2 from 'argon2';
import { randomUUID } from 'node:crypto';
import { io } from 'socket.io-client';
import request from 'supertest';
import { AuthService } from '../../src/auth/auth.service';
import type { RunningServer } from '../../src/bootstrap';
import { linkNewSession } from '../setup/flows';
import { createTestEnvironment, FeedClient, login, startTestServer, TestEnvironment } from '../setup/test-app';
import { withClient } from '../setup/test-database';

const SEND_LIMIT = 3;
const LOGIN_LIMIT = 6;
const OTHER_EMAIL = 'bea@tenant-b.test';
const OTHER_PASSWORD = 'tenant-b-password';

describe('Web hardening and the audit log', () => {
  let environment: TestEnvironment;
  let server: RunningServer;
  let tokenA: string;
  let tokenB: string;
  const api = () => request(server.url);
  const asA = () => ({ Authorization: `Bearer ${tokenA}` });
  const asB = () => ({ Authorization: `Bearer ${tokenB}` });

  beforeAll(async () => {
    environment = await createTestEnvironment({ SEND_RATE_LIMIT: String(SEND_LIMIT), LOGIN_RATE_LIMIT: String(LOGIN_LIMIT) });
    server = await startTestServer(environment);
    tokenA = await login(server);

    const passwordHash = await argon2.hash(OTHER_PASSWORD, { type: argon2.argon2id });
    await withClient(environment.database.url, async (client) => {
      const tenantId = randomUUID();
      await client.query(`insert into tenants (id, name) values ($1, 'Tenant B')`, [tenantId]);
      await client.query(`insert into users (id, tenant_id, email, name, password_hash, role) values ($1, $2, $3, 'Bea', $4, 'admin')`, [randomUUID(), tenantId, OTHER_EMAIL, passwordHash]);
    });
    tokenB = await login(server, OTHER_EMAIL, OTHER_PASSWORD);
  });

  afterAll(async () => {
    await server?.close();
    await environment?.cleanup();
  });

  describe('security headers', () => {
    it.each(['/api/health', '/dashboard/'])('sets helmet headers on %s', async (path) => {
      const response = await api().get(path);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(response.headers['x-powered-by']).toBeUndefined();
      expect(response.headers['strict-transport-security']).toBe('max-age=15552000');
      const policy = response.headers['content-security-policy'];
      expect(policy).toContain("script-src 'self'");
      expect(policy).toContain("img-src 'self' data: blob:");
      expect(policy).toContain("connect-src 'self'");
      expect(policy).toContain("frame-ancestors 'none'");
      expect(policy).not.toContain('upgrade-insecure-requests');
    });

    it('sends no CORS headers to other origins by default', async () => {
      const response = await api().get('/api/health').set('Origin', 'http://elsewhere.test');
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('request bodies', () => {
    it('rejects a body over the limit with 413', async () => {
      const response = await api()
        .post('/api/sessions')
        .set(asA())
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) }))
        .expect(413);
      expect(response.body).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
      expect(response.text).not.toContain('at ');
    });

    it('rejects an unknown field with 400', async () => {
      const response = await api().post('/api/api-keys').set(asA()).send({ name: 'Bot', role: 'agent', tenantId: randomUUID() }).expect(400);
      expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'tenantId', reason: expect.stringContaining('should not exist') }] });
    });
  });

  describe('rate limits', () => {
    it('limits the send routes per tenant', async () => {
      const session = (await api().post('/api/sessions').set(asA()).send({ name: 'Límite' }).expect(201)).body.id;
      const send = () => api().post(`/api/sessions/${session}/messages`).set(asA()).send({ to: '+573001234567', content: 'hola' });

      for (let request = 0; request < SEND_LIMIT - 1; request++) await send().expect(409);
      // The two send routes share one budget.
      await api().post(`/api/conversations/${randomUUID()}/messages`).set(asA()).send({ content: 'hola' }).expect(404);
      const limited = await send().expect(429);
      expect(limited.body.code).toBe('RATE_LIMITED');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
      await api().post(`/api/conversations/${randomUUID()}/messages`).set(asA()).send({ content: 'hola' }).expect(429);

      // Other routes and other tenants are not limited by it.
      await api().get('/api/sessions').set(asA()).expect(200);
      await api().post('/api/whatsapp/send').set(asB()).send({ to: '+573001234567', content: 'hola' }).expect(409);
    });

    it('shares the send budget between app processes', async () => {
      const second = await startTestServer(environment);
      try {
        const session = (await api().post('/api/sessions').set(asB()).send({ name: 'Dos procesos' }).expect(201)).body.id;
        const sendThrough = (server: RunningServer) => request(server.url).post(`/api/sessions/${session}/messages`).set(asB()).send({ to: '+573001234567', content: 'hola' });

        // Tenant B used one send in the previous test, so the first process takes it to the limit.
        for (let sent = 1; sent < SEND_LIMIT; sent++) await sendThrough(server).expect(409);
        const limited = await sendThrough(second).expect(429);

        expect(limited.body.code).toBe('RATE_LIMITED');
        expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      } finally {
        await second.close();
      }
    });

    it('limits login requests per address', async () => {
      // beforeAll already made two login requests from this address.
      for (let attempt = 2; attempt < LOGIN_LIMIT; attempt++) {
        await api().post('/api/auth/login').send({ email: `nobody${attempt}@charla.test`, password: 'whatever' }).expect(401);
      }
      const limited = await api().post('/api/auth/login').send({ email: OTHER_EMAIL, password: OTHER_PASSWORD }).expect(429);
      expect(limited.body.code).toBe('RATE_LIMITED');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    });
  });

  describe('Socket.IO', () => {
    it('drops a client that sends more than the payload limit', async () => {
      const socket = io(server.url, { auth: { token: tokenA }, transports: ['websocket'], reconnection: false, forceNew: true });
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      const reason = new Promise<string>((resolve) => {
        socket.once('disconnect', resolve);
        setTimeout(() => resolve('still connected after 5 s'), 5_000);
      });
      socket.emit('anything', 'x'.repeat(200 * 1024));
      expect(await reason).toBe('transport close');
      socket.close();
    });
  });

  describe('GET /api/audit-events', () => {
    it('records who linked, unlinked and deleted a connection', async () => {
      const feed = new FeedClient(server.url, tokenA);
      await feed.connected();
      const sessionId = await linkNewSession(server, tokenA, feed, '+573009990001', 'Auditada');
      await api().post(`/api/sessions/${sessionId}/disconnect`).set(asA()).expect(200);
      await api().delete(`/api/sessions/${sessionId}`).set(asA()).expect(204);
      feed.close();

      const events = await api().get('/api/audit-events').query({ filter: JSON.stringify({ targetId: sessionId }), sort: '["createdAt","ASC"]' }).set(asA()).expect(200);
      expect(events.body.map((event: { action: string }) => event.action)).toEqual(['session.connect_requested', 'session.linked', 'session.unlinked', 'session.deleted']);
      expect(events.body[0]).toMatchObject({ targetType: 'session', actorType: 'user', actorName: 'Administrador', ip: expect.any(String) });
      expect(events.body[1]).toMatchObject({ actorType: 'system', actorId: null, details: { phoneNumber: '+573009990001' } });
      expect(events.headers['content-range']).toBe('audit-events 0-3/4');
    });

    it('records user and API key changes without secrets', async () => {
      const user = (await api().post('/api/users').set(asA()).send({ email: 'auditado@charla.test', name: 'Auditado', password: 'first-password', role: 'agent' }).expect(201)).body;
      // Separate requests, because events of one request may share a millisecond and then have no fixed order.
      await api().patch(`/api/users/${user.id}`).set(asA()).send({ role: 'admin' }).expect(200);
      await api().patch(`/api/users/${user.id}`).set(asA()).send({ password: 'second-password' }).expect(200);
      await api().delete(`/api/users/${user.id}`).set(asA()).expect(200);
      const key = (await api().post('/api/api-keys').set(asA()).send({ name: 'Integración', role: 'admin' }).expect(201)).body;
      await api().delete(`/api/api-keys/${key.id}`).set(asA()).expect(200);

      const userEvents = await api().get('/api/audit-events').query({ filter: JSON.stringify({ targetId: user.id }), sort: '["createdAt","ASC"]' }).set(asA()).expect(200);
      expect(userEvents.body.map((event: { action: string }) => event.action)).toEqual(['user.created', 'user.role_changed', 'user.password_changed', 'user.deactivated']);
      expect(userEvents.body[1].details).toEqual({ email: 'auditado@charla.test', from: 'agent', to: 'admin' });

      const keyEvents = await api().get('/api/audit-events').query({ filter: JSON.stringify({ targetType: 'api_key' }) }).set(asA()).expect(200);
      expect(keyEvents.body.map((event: { action: string }) => event.action)).toEqual(['api_key.revoked', 'api_key.created']);
      expect(keyEvents.body[1].details).toEqual({ name: 'Integración', role: 'admin', prefix: key.key.slice(0, 12) });

      const everything = JSON.stringify((await api().get('/api/audit-events').query({ range: '[0,499]' }).set(asA()).expect(200)).body);
      for (const secret of [key.key, key.key.slice(12), 'first-password', 'second-password', tokenA]) expect(everything).not.toContain(secret);
      expect(environment.logs.text()).not.toContain(key.key);
    });

    it('names the API key that acted', async () => {
      const key = (await api().post('/api/api-keys').set(asA()).send({ name: 'Aprovisionador', role: 'admin' }).expect(201)).body;
      const user = (await api().post('/api/users').set('X-Api-Key', key.key).send({ email: 'por-clave@charla.test', name: 'Por clave', password: 'by-key-password', role: 'agent' }).expect(201)).body;

      const events = await api().get('/api/audit-events').query({ filter: JSON.stringify({ actorId: key.id }) }).set(asA()).expect(200);
      expect(events.body).toEqual([expect.objectContaining({ action: 'user.created', targetId: user.id, actorType: 'api_key', actorId: key.id, actorName: 'Aprovisionador' })]);
    });

    it('shows each tenant only its own events', async () => {
      expect((await api().get('/api/audit-events').set(asB()).expect(200)).body).toEqual([]);
      const own = await api().post('/api/users').set(asB()).send({ email: 'agente@tenant-b.test', name: 'Agente B', password: 'agent-b-password', role: 'agent' }).expect(201);
      const listed = await api().get('/api/audit-events').set(asB()).expect(200);
      expect(listed.body).toEqual([expect.objectContaining({ action: 'user.created', targetId: own.body.id })]);

      const agentToken = await loginFromFreshAddress('agente@tenant-b.test', 'agent-b-password');
      expect((await api().get('/api/audit-events').set({ Authorization: `Bearer ${agentToken}` }).expect(403)).body.code).toBe('FORBIDDEN');
    });

    it('rejects unknown filters', async () => {
      await api().get('/api/audit-events').query({ filter: '{"tenantId":"x"}' }).set(asA()).expect(400);
      expect((await api().get('/api/audit-events').query({ filter: '{"actorId":"../x"}' }).set(asA()).expect(200)).body).toEqual([]);
    });
  });

  /** Logs in directly through the service, because this file's login requests per address are used up above. */
  async function loginFromFreshAddress(email: string, password: string): Promise<string> {
    return (await server.app.get(AuthService).login(email, password, { ip: '198.51.100.7' })).accessToken;
  }
});
