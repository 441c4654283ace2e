import * as argon2 from 'argon2';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { RunningServer } from '../../src/bootstrap';
import { ADMIN_EMAIL, ADMIN_PASSWORD, createTestEnvironment, FeedClient, startTestServer, TestEnvironment } from '../setup/test-app';
import { withClient } from '../setup/test-database';

const MAX_FAILURES = 3;
const MAX_FAILURES_PER_ADDRESS = 6;
const OTHER_EMAIL = 'bea@tenant-b.test';
const OTHER_PASSWORD = 'tenant-b-password';

interface Session {
  accessToken: string;
  refreshToken: string;
}

/** Each test logs in from its own address (X-Forwarded-For, trusted here), so the failure counters of one test never reach another. */
let nextAddress = 10;
const newAddress = () => `203.0.113.${nextAddress++}`;

describe('Authentication: refresh tokens, revocation, API keys and login throttling', () => {
  let environment: TestEnvironment;
  let server: RunningServer;
  let admin: Session;
  const api = () => request(server.url);
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  /** Secrets handed out during the suite; none may appear in a log line. */
  const secrets: string[] = [];

  async function login(email: string, password: string, address = newAddress()): Promise<Session> {
    const response = await api().post('/api/auth/login').set('X-Forwarded-For', address).send({ email, password }).expect(200);
    secrets.push(response.body.accessToken, response.body.refreshToken);
    return response.body;
  }

  async function createAgent(email: string): Promise<string> {
    const created = await api().post('/api/users').set(bearer(admin.accessToken)).send({ email, name: 'Agente', password: 'agent-password-1', role: 'agent' }).expect(201);
    return created.body.id;
  }

  beforeAll(async () => {
    environment = await createTestEnvironment({
      TRUST_PROXY: 'true',
      LOGIN_MAX_FAILURES: String(MAX_FAILURES),
      LOGIN_MAX_FAILURES_PER_ADDRESS: String(MAX_FAILURES_PER_ADDRESS),
      LOGIN_LOCKOUT: '10m',
      LOGIN_RATE_LIMIT: '1000',
    });
    server = await startTestServer(environment);
    admin = await login(ADMIN_EMAIL, ADMIN_PASSWORD);

    const passwordHash = await argon2.hash(OTHER_PASSWORD, { type: argon2.argon2id });
    await withClient(environment.database.url, async (client) => {
      const tenantId = randomUUID();
      await client.query(`insert into tenants (id, name) values ($1, 'Tenant B')`, [tenantId]);
      await client.query(`insert into users (id, tenant_id, email, name, password_hash, role) values ($1, $2, $3, 'Bea', $4, 'admin')`, [randomUUID(), tenantId, OTHER_EMAIL, passwordHash]);
    });
  });

  afterAll(async () => {
    await server?.close();
    await environment?.cleanup();
  });

  describe('POST /api/auth/login', () => {
    it('returns a short-lived access token and a refresh token', async () => {
      const response = await api().post('/api/auth/login').set('X-Forwarded-For', newAddress()).send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }).expect(200);
      secrets.push(response.body.accessToken, response.body.refreshToken);

      expect(response.body).toMatchObject({ expiresIn: 900, user: { email: ADMIN_EMAIL, role: 'superadmin' } });
      expect(response.body.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const claims = JSON.parse(Buffer.from(response.body.accessToken.split('.')[1], 'base64url').toString('utf8'));
      expect(claims.exp - claims.iat).toBe(900);
      expect(new Date(response.body.refreshTokenExpiresAt).getTime()).toBeGreaterThan(Date.now() + 6 * 86_400_000);

      const { rows } = await withClient(environment.database.url, (client) => client.query('select token_hash from refresh_tokens'));
      expect(rows.map((row) => row.token_hash)).not.toContain(response.body.refreshToken);
    });
  });

  describe('POST /api/auth/refresh', () => {
    it('rotates the refresh token', async () => {
      const first = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
      const second = (await api().post('/api/auth/refresh').send({ refreshToken: first.refreshToken }).expect(200)).body;
      secrets.push(second.accessToken, second.refreshToken);

      expect(second.refreshToken).not.toBe(first.refreshToken);
      expect(second.user.email).toBe(ADMIN_EMAIL);
      await api().get('/api/sessions').set(bearer(second.accessToken)).expect(200);
      const third = (await api().post('/api/auth/refresh').send({ refreshToken: second.refreshToken }).expect(200)).body;
      secrets.push(third.accessToken, third.refreshToken);
    });

    it('revokes the whole family when a replaced token is reused', async () => {
      const first = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
      const second = (await api().post('/api/auth/refresh').send({ refreshToken: first.refreshToken }).expect(200)).body;
      secrets.push(second.accessToken, second.refreshToken);

      const reuse = await api().post('/api/auth/refresh').send({ refreshToken: first.refreshToken }).expect(401);
      expect(reuse.body.code).toBe('REFRESH_TOKEN_REUSED');
      const afterReuse = await api().post('/api/auth/refresh').send({ refreshToken: second.refreshToken }).expect(401);
      expect(afterReuse.body.code).toBe('REFRESH_TOKEN_REVOKED');

      // Another login of the same user is a family of its own and keeps working.
      await api().post('/api/auth/refresh').send({ refreshToken: admin.refreshToken }).expect(200);
    });

    it('lets only one of two concurrent refreshes win', async () => {
      const session = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
      const responses = await Promise.all([1, 2].map(() => api().post('/api/auth/refresh').send({ refreshToken: session.refreshToken })));
      expect(responses.map((response) => response.status).sort()).toEqual([200, 401]);
    });

    it.each([
      ['an unknown token', 'x'.repeat(43), 401, 'REFRESH_TOKEN_INVALID'],
      ['an empty token', '', 400, 'VALIDATION_FAILED'],
    ])('rejects %s', async (_name, refreshToken, status, code) => {
      const response = await api().post('/api/auth/refresh').send({ refreshToken }).expect(status);
      expect(response.body.code).toBe(code);
    });
  });

  describe('POST /api/auth/logout', () => {
    it('revokes the refresh token', async () => {
      const session = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
      await api().post('/api/auth/logout').send({ refreshToken: session.refreshToken }).expect(204);

      const response = await api().post('/api/auth/refresh').send({ refreshToken: session.refreshToken }).expect(401);
      expect(response.body.code).toBe('REFRESH_TOKEN_REVOKED');
    });
  });

  describe('revocation of every session of a user', () => {
    it('ends old tokens after a password change', async () => {
      const userId = await createAgent('cambio@charla.test');
      const agent = await login('cambio@charla.test', 'agent-password-1');
      await api().get('/api/conversations').set(bearer(agent.accessToken)).expect(200);

      await api().patch(`/api/users/${userId}`).set(bearer(admin.accessToken)).send({ password: 'agent-password-2' }).expect(200);

      expect((await api().get('/api/conversations').set(bearer(agent.accessToken)).expect(401)).body.code).toBe('UNAUTHORIZED');
      expect((await api().post('/api/auth/refresh').send({ refreshToken: agent.refreshToken }).expect(401)).body.code).toBe('REFRESH_TOKEN_REVOKED');
      const feed = new FeedClient(server.url, agent.accessToken);
      await expect(feed.connected()).rejects.toThrow(/UNAUTHORIZED/);
      feed.close();

      const renewed = await login('cambio@charla.test', 'agent-password-2');
      await api().get('/api/conversations').set(bearer(renewed.accessToken)).expect(200);
    });

    it('ends old tokens after a deactivation', async () => {
      const userId = await createAgent('baja@charla.test');
      const agent = await login('baja@charla.test', 'agent-password-1');

      await api().delete(`/api/users/${userId}`).set(bearer(admin.accessToken)).expect(200);

      await api().get('/api/conversations').set(bearer(agent.accessToken)).expect(401);
      expect((await api().post('/api/auth/refresh').send({ refreshToken: agent.refreshToken }).expect(401)).body.code).toBe('REFRESH_TOKEN_REVOKED');

      // Reactivation does not bring the old tokens back.
      await api().patch(`/api/users/${userId}`).set(bearer(admin.accessToken)).send({ active: true }).expect(200);
      await api().get('/api/conversations').set(bearer(agent.accessToken)).expect(401);
    });

    it('disconnects live feeds on access changes', async () => {
      const changes: { email: string; change: (userId: string) => request.Test }[] = [
        { email: 'feed-clave@charla.test', change: (userId) => api().patch(`/api/users/${userId}`).set(bearer(admin.accessToken)).send({ password: 'agent-password-3' }) },
        { email: 'feed-baja@charla.test', change: (userId) => api().delete(`/api/users/${userId}`).set(bearer(admin.accessToken)) },
        { email: 'feed-rol@charla.test', change: (userId) => api().patch(`/api/users/${userId}`).set(bearer(admin.accessToken)).send({ role: 'admin' }) },
      ];
      const bystander = new FeedClient(server.url, admin.accessToken);
      await bystander.connected();

      for (const { email, change } of changes) {
        const userId = await createAgent(email);
        const agent = await login(email, 'agent-password-1');
        const feed = new FeedClient(server.url, agent.accessToken);
        await feed.connected();
        const disconnected = new Promise<string>((resolve) => feed.socket.once('disconnect', (reason) => resolve(reason)));

        await change(userId).expect(200);

        expect(await disconnected).toBe('io server disconnect');
        feed.close();
      }
      expect(bystander.socket.connected).toBe(true);
      bystander.close();
    });

    it('keeps other users signed in', async () => {
      await api().get('/api/sessions').set(bearer(admin.accessToken)).expect(200);
    });
  });

  describe('/api/api-keys', () => {
    it('shows a key once and authenticates with it', async () => {
      const created = await api().post('/api/api-keys').set(bearer(admin.accessToken)).send({ name: 'Tienda online', role: 'agent' }).expect(201);
      const key = created.body.key as string;
      secrets.push(key);
      expect(key).toMatch(/^chk_[A-Za-z0-9_-]{43}$/);
      expect(created.body).toMatchObject({ name: 'Tienda online', role: 'agent', prefix: key.slice(0, 12), revokedAt: null });

      const listed = await api().get('/api/api-keys').set(bearer(admin.accessToken)).expect(200);
      expect(listed.headers['content-range']).toMatch(/^api-keys 0-0\/1$/);
      expect(listed.body[0]).toEqual({ id: created.body.id, name: 'Tienda online', role: 'agent', prefix: key.slice(0, 12), createdBy: expect.any(String), createdAt: expect.any(String), lastUsedAt: null, revokedAt: null });
      expect(JSON.stringify(listed.body)).not.toContain(key.slice(12));
      const single = await api().get(`/api/api-keys/${created.body.id}`).set(bearer(admin.accessToken)).expect(200);
      expect(single.body).not.toHaveProperty('key');
      expect(single.body).not.toHaveProperty('keyHash');

      await api().get('/api/conversations').set('X-Api-Key', key).expect(200);
      const used = await api().get(`/api/api-keys/${created.body.id}`).set(bearer(admin.accessToken)).expect(200);
      expect(used.body.lastUsedAt).not.toBeNull();

      const { rows } = await withClient(environment.database.url, (client) => client.query('select key_hash from api_keys'));
      expect(rows[0].key_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(rows[0].key_hash).not.toContain(key);
    });

    it('gives a key the rights of its role only', async () => {
      const agentKey = (await api().post('/api/api-keys').set(bearer(admin.accessToken)).send({ name: 'Bot', role: 'agent' }).expect(201)).body.key;
      const adminKey = (await api().post('/api/api-keys').set(bearer(admin.accessToken)).send({ name: 'CRM', role: 'admin' }).expect(201)).body.key;
      secrets.push(agentKey, adminKey);

      expect((await api().get('/api/users').set('X-Api-Key', agentKey).expect(403)).body.code).toBe('FORBIDDEN');
      await api().get('/api/users').set('X-Api-Key', adminKey).expect(200);
      // A superadmin's key is an admin key: it does not reach the tenants routes.
      await api().get('/api/tenants').set('X-Api-Key', adminKey).expect(403);
      // Keys are managed by people, so a leaked admin key cannot mint more.
      expect((await api().post('/api/api-keys').set('X-Api-Key', adminKey).send({ name: 'Otra', role: 'agent' }).expect(403)).body.code).toBe('FORBIDDEN');
    });

    it('refuses roles above admin and callers below admin', async () => {
      const superKey = await api().post('/api/api-keys').set(bearer(admin.accessToken)).send({ name: 'Root', role: 'superadmin' }).expect(403);
      expect(superKey.body.code).toBe('FORBIDDEN');
      const tenantAdmin = await login(OTHER_EMAIL, OTHER_PASSWORD);
      await api().post('/api/api-keys').set(bearer(tenantAdmin.accessToken)).send({ name: 'Root', role: 'superadmin' }).expect(403);

      await createAgent('agente-claves@charla.test');
      const agent = await login('agente-claves@charla.test', 'agent-password-1');
      await api().post('/api/api-keys').set(bearer(agent.accessToken)).send({ name: 'Mine', role: 'agent' }).expect(403);
      await api().get('/api/api-keys').set(bearer(agent.accessToken)).expect(403);

      const invalid = await api().post('/api/api-keys').set(bearer(admin.accessToken)).send({ name: '', role: 'owner' }).expect(400);
      expect(invalid.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['name', 'role']);
    });

    it('revokes a key at once and keeps it from other tenants', async () => {
      const created = (await api().post('/api/api-keys').set(bearer(admin.accessToken)).send({ name: 'Temporal', role: 'admin' }).expect(201)).body;
      secrets.push(created.key);
      await api().get('/api/sessions').set('X-Api-Key', created.key).expect(200);

      const tenantB = await login(OTHER_EMAIL, OTHER_PASSWORD);
      await api().delete(`/api/api-keys/${created.id}`).set(bearer(tenantB.accessToken)).expect(404);
      expect((await api().get('/api/api-keys').set(bearer(tenantB.accessToken)).expect(200)).body).toEqual([]);
      await api().get('/api/sessions').set('X-Api-Key', created.key).expect(200);

      const revoked = await api().delete(`/api/api-keys/${created.id}`).set(bearer(admin.accessToken)).expect(200);
      expect(revoked.body.revokedAt).not.toBeNull();
      const refused = await api().get('/api/sessions').set('X-Api-Key', created.key).expect(401);
      expect(refused.body.code).toBe('INVALID_API_KEY');
    });

    it.each([['an unknown key', `chk_${'A'.repeat(43)}`], ['a malformed key', 'hello'], ['an empty key', '']])('refuses %s', async (_name, key) => {
      const response = await api().get('/api/sessions').set('X-Api-Key', key).expect(401);
      expect(response.body.code).toBe('INVALID_API_KEY');
    });
  });

  describe('login throttling', () => {
    it('locks an account out after repeated failures', async () => {
      await createAgent('objetivo@charla.test');
      const attempt = (password: string) => api().post('/api/auth/login').set('X-Forwarded-For', newAddress()).send({ email: 'objetivo@charla.test', password });

      for (let failure = 0; failure < MAX_FAILURES; failure++) await attempt('wrong-password').expect(401);
      const locked = await attempt('agent-password-1').expect(429);
      expect(locked.body).toMatchObject({ code: 'LOGIN_THROTTLED' });
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(500);
      expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(600);
    });

    it('locks unknown accounts out the same way', async () => {
      const attempt = (email: string) => api().post('/api/auth/login').set('X-Forwarded-For', newAddress()).send({ email, password: 'wrong-password' });
      for (let failure = 0; failure < MAX_FAILURES; failure++) await attempt('nadie@charla.test').expect(401);
      const unknown = await attempt('nadie@charla.test').expect(429);

      for (let failure = 0; failure < MAX_FAILURES; failure++) await attempt(OTHER_EMAIL).expect(401);
      const known = await attempt(OTHER_EMAIL).expect(429);
      expect(unknown.body).toEqual(known.body);
    });

    it('locks an address out after failures on many accounts', async () => {
      const address = newAddress();
      for (let failure = 0; failure < MAX_FAILURES_PER_ADDRESS; failure++) {
        await api().post('/api/auth/login').set('X-Forwarded-For', address).send({ email: `guess${failure}@charla.test`, password: 'wrong-password' }).expect(401);
      }
      const locked = await api().post('/api/auth/login').set('X-Forwarded-For', address).send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }).expect(429);
      expect(locked.headers['retry-after']).toBeDefined();

      // The same account from another address is not affected.
      await login(ADMIN_EMAIL, ADMIN_PASSWORD);
    });

    it('clears the account count after a successful login', async () => {
      await createAgent('olvidadizo@charla.test');
      const attempt = (password: string) => api().post('/api/auth/login').set('X-Forwarded-For', newAddress()).send({ email: 'olvidadizo@charla.test', password });
      for (let failure = 0; failure < MAX_FAILURES - 1; failure++) await attempt('wrong-password').expect(401);
      await attempt('agent-password-1').expect(200);
      for (let failure = 0; failure < MAX_FAILURES - 1; failure++) await attempt('wrong-password').expect(401);
      await attempt('agent-password-1').expect(200);
    });
  });

  it('writes no token or key to the logs', () => {
    const logs = environment.logs.text();
    expect(secrets.length).toBeGreaterThan(10);
    for (const secret of secrets) expect(logs).not.toContain(secret);
  });
});
