import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { createHmac } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { IS_PUBLIC } from '../../src/auth/auth-user';
import { ROLES } from '../../src/auth/roles';
import type { RunningServer } from '../../src/bootstrap';
import { RealtimeEvents } from '../../src/realtime/realtime-events';
import { linkNewSession } from '../setup/flows';
import { startTestSimulator } from '../setup/simulator';
import { createTestEnvironment, eventually, FeedClient, login, startTestServer, TestEnvironment } from '../setup/test-app';
import { withClient } from '../setup/test-database';

const JWT_SECRET = 'tenant-isolation-test-secret-0123456789abcdef';
const PASSWORD = 'clave-segura-2026';
const BUSINESS_A = '+573000000091';
const CUSTOMER_A = '+573000000092';
const SECRET_TEXT = 'Pedido confidencial de A';

interface Route {
  method: string;
  path: string;
  roles: string[] | undefined;
  isPublic: boolean;
}

/** Every REST route of the running app, read from the controllers Nest registered, so new routes are covered. */
function enumerateRoutes(server: RunningServer): Route[] {
  const routes: Route[] = [];
  for (const module of server.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!controller) continue;
      const prefixes = [Reflect.getMetadata(PATH_METADATA, controller) ?? ''].flat() as string[];
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function' || name === 'constructor') continue;
        const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        if (paths === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
        const roles = (Reflect.getMetadata(ROLES, handler) ?? Reflect.getMetadata(ROLES, controller)) as string[] | undefined;
        const isPublic = Boolean(Reflect.getMetadata(IS_PUBLIC, handler) ?? Reflect.getMetadata(IS_PUBLIC, controller));
        for (const prefix of prefixes) {
          for (const path of [paths].flat()) {
            const full = `/${['api', prefix, path].filter(Boolean).join('/')}`.replace(/\/+/g, '/').replace(/\/$/, '');
            routes.push({ method, path: full, roles, isPublic });
          }
        }
      }
    }
  }
  return routes.filter((route) => route.path.startsWith('/api/') && route.method !== 'ALL');
}

function signToken(payload: Record<string, unknown>, secret: string, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode(header)}.${encode(payload)}`;
  if (header.alg === 'none') return `${unsigned}.`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

function decodePayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

/**
 * Tenant isolation on every route: users of tenant B, in each role, and a superadmin reach for
 * tenant A's data by id and get 403 or 404 without changing anything; each role gets only the
 * routes it may use; bad tokens get 401; hostile ids create nothing on disk; no secret reaches
 * the logs or the responses.
 */
describe('Tenant isolation and access on every route', () => {
  let environment: TestEnvironment;
  let simulator: Awaited<ReturnType<typeof startTestSimulator>>;
  let server: RunningServer;
  let routes: Route[];
  let receiver: Server;
  const tokens: Record<string, string> = {};
  const idsOfA: Record<string, string> = {};
  const responses: string[] = [];
  const api = () => request(server.url);
  // Names ending in -key are API keys, sent the way machine clients send them.
  const as = (who: string): Record<string, string> => (who.endsWith('-key') ? { 'X-Api-Key': tokens[who] } : { Authorization: `Bearer ${tokens[who]}` });

  beforeAll(async () => {
    simulator = await startTestSimulator();
    receiver = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    // Webhook deliveries of tenant A go to this loopback receiver, which the URL guard then allows.
    environment = await createTestEnvironment({ SIMULATOR_URL: simulator.simulator.controlUrl, JWT_SECRET, ALLOW_PRIVATE_NETWORK_URLS: 'true', OUTBOX_SESSION_GAP_MS: '0', OUTBOX_CHAT_GAP_MS: '0', OUTBOX_JITTER_MS: '0' });
    server = await startTestServer(environment);
    tokens.superadmin = await login(server);
    routes = enumerateRoutes(server);

    for (const tenant of ['a', 'b']) {
      const created = await api()
        .post('/api/tenants')
        .set(as('superadmin'))
        .send({ name: `Negocio ${tenant.toUpperCase()}`, adminEmail: `admin-${tenant}@charla.test`, adminPassword: PASSWORD })
        .expect(201);
      if (tenant === 'a') idsOfA.tenants = created.body.id;
      tokens[`${tenant}-admin`] = await login(server, `admin-${tenant}@charla.test`, PASSWORD);
      const agent = await api().post('/api/users').set(as(`${tenant}-admin`)).send({ email: `agente-${tenant}@charla.test`, name: 'Agente', password: PASSWORD, role: 'agent' }).expect(201);
      if (tenant === 'a') idsOfA.users = agent.body.id;
      tokens[`${tenant}-agent`] = await login(server, `agente-${tenant}@charla.test`, PASSWORD);
    }
    for (const role of ['admin', 'agent']) {
      const key = await api().post('/api/api-keys').set(as('b-admin')).send({ name: `Robot ${role}`, role }).expect(201);
      tokens[`b-${role}-key`] = key.body.key;
    }

    await createTenantAData();
  });

  afterAll(async () => {
    await server?.close();
    receiver?.close();
    await simulator?.stop();
    await environment?.cleanup();
  });

  /** A linked session with a customer conversation, an inbound and an outbound message. */
  async function createTenantAData(): Promise<void> {
    const port = (receiver.address() as AddressInfo).port;
    const webhook = await api().post('/api/webhooks').set(as('a-admin')).send({ url: `http://127.0.0.1:${port}/hook`, events: ['message.created'] }).expect(201);
    idsOfA.webhooks = webhook.body.id;
    const product = await api().post('/api/products').set(as('a-admin')).send({ name: 'Pan de bono', price: 2500, currency: 'COP' }).expect(201);
    idsOfA.products = product.body.id;

    const feed = new FeedClient(server.url, tokens['a-admin']);
    await feed.connected();
    idsOfA.sessions = await linkNewSession(server, tokens['a-admin'], feed, BUSINESS_A);
    await api().post('/api/sandbox/messages').set(as('a-admin')).send({ from: CUSTOMER_A, to: BUSINESS_A, content: SECRET_TEXT }).expect(201);
    const inbound = await feed.waitFor('message.created', (payload) => payload.message.content === SECRET_TEXT);
    idsOfA.conversations = inbound.conversationId;

    const reply = await api().post(`/api/conversations/${idsOfA.conversations}/messages`).set(as('a-admin')).send({ content: 'Respuesta de A' }).expect(201);
    idsOfA.messages = reply.body.id;
    await eventually(async () => {
      const row = await api().get(`/api/messages/${reply.body.id}`).set(as('a-admin'));
      return row.body.waMessageId ? true : undefined;
    });

    const contacts = await api().get('/api/contacts').set(as('a-admin')).expect(200);
    idsOfA.contacts = contacts.body[0].id;

    idsOfA['webhook-deliveries'] = await eventually(async () => {
      const deliveries = await api().get('/api/webhook-deliveries').set(as('a-admin')).expect(200);
      return deliveries.body[0]?.id as string | undefined;
    });

    const key = await api().post('/api/api-keys').set(as('a-admin')).send({ name: 'Integración A', role: 'agent' }).expect(201);
    idsOfA['api-keys'] = key.body.id;
    tokens['a-key'] = key.body.key;
    feed.close();
  }

  /** Everything tenant A owns, as rows, to prove a refused request changed nothing. */
  async function snapshotOfA(): Promise<string> {
    return withClient(environment.database.url, async (client) => {
      const tenantId = idsOfA.tenants;
      const tables = ['whatsapp_sessions', 'conversations', 'messages', 'contacts', 'users', 'api_keys', 'products', 'webhook_endpoints'];
      const parts: unknown[] = [(await client.query('select * from tenants where id = $1', [tenantId])).rows];
      for (const table of tables) parts.push((await client.query(`select * from ${table} where tenant_id = $1 order by id`, [tenantId])).rows);
      return JSON.stringify(parts);
    });
  }

  /** The route's path with tenant A's ids; undefined when the route takes no id. */
  function pathForA(route: Route): string | undefined {
    if (!route.path.includes(':')) return undefined;
    return route.path.replace(/:(\w+)/g, (_match, name: string) => {
      if (name === 'phoneNumber') return encodeURIComponent(CUSTOMER_A);
      const resource = route.path.split('/')[2];
      const id = idsOfA[resource];
      if (!id) throw new Error(`No tenant-A fixture for ${route.method} ${route.path}: add one to the isolation test so the route is covered`);
      return id;
    });
  }

  /**
   * A well-formed body, so a refusal comes from ownership and not from validation. Updates without
   * a listed body send tenant A's own record back, as the panel does.
   */
  async function bodyFor(route: Route): Promise<Record<string, unknown> | undefined> {
    if (['GET', 'DELETE'].includes(route.method)) return undefined;
    const bodies: Record<string, Record<string, unknown>> = {
      'POST /api/sessions/:id/messages': { to: CUSTOMER_A, content: 'intruso' },
      'POST /api/sessions/:id/pairing-code': { phoneNumber: BUSINESS_A },
      'POST /api/conversations/:id/messages': { content: 'intruso' },
      'PATCH /api/messages/:id': { content: 'intruso' },
      'PUT /api/conversations/:id/automation': { mode: 'human' },
      'PUT /api/users/:id': { name: 'Intruso' },
      'PATCH /api/users/:id': { name: 'Intruso' },
      'PUT /api/tenants/:id': { name: 'Intruso' },
      'PATCH /api/tenants/:id': { name: 'Intruso' },
    };
    const listed = bodies[`${route.method} ${route.path}`];
    if (listed) return listed;
    if (!['PUT', 'PATCH'].includes(route.method) || !route.path.includes(':')) return {};

    const record = await api().get(pathForA(route)!).set(as('a-admin'));
    return record.status === 200 && typeof record.body === 'object' ? record.body : {};
  }

  async function call(route: Route, path: string, who: string): Promise<request.Response> {
    const method = route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    let pending = api()[method](path).set(as(who));
    const body = await bodyFor(route);
    if (body) pending = pending.send(body);
    const response = await pending;
    responses.push(response.text);
    return response;
  }

  it('finds the app routes', () => {
    expect(routes.length).toBeGreaterThan(30);
    expect(routes).toContainEqual(expect.objectContaining({ method: 'GET', path: '/api/conversations/:id' }));
  });

  it.each(['b-admin', 'b-agent', 'b-admin-key', 'b-agent-key', 'superadmin'])('refuses %s every id of tenant A and changes nothing', async (who) => {
    const before = await snapshotOfA();
    const leaks: string[] = [];

    for (const route of routes.filter((entry) => !entry.isPublic)) {
      // A superadmin manages tenants themselves through the tenants routes, and nothing else of theirs.
      if (who === 'superadmin' && route.path.startsWith('/api/tenants')) continue;
      const path = pathForA(route);
      if (!path) continue;

      const response = await call(route, path, who);
      const readOnlyEmpty = route.method === 'GET' && response.status === 200 && !response.text.includes(SECRET_TEXT) && !Object.values(idsOfA).some((id) => response.text.includes(id));
      if (![403, 404].includes(response.status) && !readOnlyEmpty) leaks.push(`${route.method} ${route.path} → ${response.status} ${response.text.slice(0, 120)}`);
    }

    expect(leaks).toEqual([]);
    expect(await snapshotOfA()).toBe(before);
  });

  it.each(['b-admin', 'b-agent', 'b-agent-key'])('shows %s none of tenant A in lists and searches', async (who) => {
    const before = await snapshotOfA();
    const leaks: string[] = [];

    for (const route of routes.filter((entry) => !entry.isPublic && entry.method === 'GET' && !entry.path.includes(':'))) {
      const response = await call(route, `${route.path}?filter=${encodeURIComponent(JSON.stringify({ q: CUSTOMER_A.slice(1) }))}`, who);
      if (response.text.includes(SECRET_TEXT) || Object.values(idsOfA).some((id) => response.text.includes(id))) leaks.push(`${route.method} ${route.path}`);
    }

    expect(leaks).toEqual([]);
    expect(await snapshotOfA()).toBe(before);
  });

  it("gives other tenants' Socket.IO clients none of tenant A's live events, even when they ask to join", async () => {
    const published = new Set<string>();
    // The event names come from the running app: everything it publishes for tenant A meanwhile.
    const subscription = server.app.get(RealtimeEvents).stream.subscribe((envelope) => {
      if (envelope.tenantId === idsOfA.tenants) published.add(envelope.event);
    });
    const watchers = ['b-admin', 'b-agent', 'superadmin'].map((who) => new FeedClient(server.url, tokens[who]));
    const own = new FeedClient(server.url, tokens['a-agent']);
    try {
      await Promise.all([...watchers, own].map((feed) => feed.connected()));
      for (const feed of watchers) {
        for (const room of [`tenant:${idsOfA.tenants}`, `tenant:${idsOfA.tenants}:admins`]) {
          feed.socket.emit('join', room);
          feed.socket.emit('subscribe', { room, tenantId: idsOfA.tenants });
        }
      }

      await api().post('/api/sandbox/messages').set(as('a-admin')).send({ from: CUSTOMER_A, to: BUSINESS_A, content: `${SECRET_TEXT} en vivo` }).expect(201);
      const live = await own.waitFor('message.created', (payload) => payload.message.content === `${SECRET_TEXT} en vivo`);
      await api().post(`/api/conversations/${live.conversationId}/messages`).set(as('a-admin')).send({ content: 'Respuesta en vivo' }).expect(201);
      await own.waitFor('message.updated', (payload) => payload.conversationId === live.conversationId);
      await new Promise((resolve) => setTimeout(resolve, 500));

      expect([...published]).toEqual(expect.arrayContaining(['message.created', 'message.updated', 'conversation.updated']));
      for (const feed of watchers) {
        const seen = JSON.stringify(feed.events);
        expect(seen.includes(SECRET_TEXT) || seen.includes(idsOfA.tenants) || seen.includes(live.conversationId)).toBe(false);
      }
    } finally {
      subscription.unsubscribe();
      for (const feed of [...watchers, own]) feed.close();
    }
  });

  it('lets a superadmin read tenant A through the tenants routes', async () => {
    const tenant = await api().get(`/api/tenants/${idsOfA.tenants}`).set(as('superadmin')).expect(200);
    expect(tenant.body.id).toBe(idsOfA.tenants);
  });

  it('gives an agent 403 on every route that needs a higher role, in its own tenant', async () => {
    const ownIds: Record<string, string> = { ...idsOfA };
    const wrong: string[] = [];

    for (const route of routes.filter((entry) => entry.roles && !entry.roles.includes('agent'))) {
      const path = route.path.replace(/:(\w+)/g, (_match, name: string) => (name === 'phoneNumber' ? encodeURIComponent(CUSTOMER_A) : (ownIds[route.path.split('/')[2]] ?? '00000000-0000-4000-8000-000000000000')));
      const response = await call(route, path, 'a-agent');
      if (response.status !== 403) wrong.push(`${route.method} ${route.path} → ${response.status}`);
    }

    expect(wrong).toEqual([]);
  });

  it('does not let a tenant admin create a superadmin or give one the role', async () => {
    const created = await api().post('/api/users').set(as('b-admin')).send({ email: 'jefe@charla.test', name: 'Jefe', password: PASSWORD, role: 'superadmin' });
    expect([400, 403]).toContain(created.status);
    const own = await api().get('/api/users').set(as('b-admin')).expect(200);
    const agent = own.body.find((user: { email: string }) => user.email === 'agente-b@charla.test');
    const raised = await api().patch(`/api/users/${agent.id}`).set(as('b-admin')).send({ role: 'superadmin' });
    expect([400, 403]).toContain(raised.status);
  });

  describe('tokens', () => {
    const protectedRoutes = () => routes.filter((route) => !route.isPublic && route.method === 'GET' && !route.path.includes(':'));

    it.each([
      ['no token', () => undefined],
      ['an expired token', () => signToken({ ...decodePayload(tokens['a-admin']), iat: 1_700_000_000, exp: 1_700_000_600 }, JWT_SECRET)],
      ['alg none', () => signToken(decodePayload(tokens['a-admin']), '', { alg: 'none', typ: 'JWT' })],
      ['a token signed with another key', () => signToken(decodePayload(tokens['a-admin']), 'another-secret-another-secret-0123456789')],
      ['a tampered payload', () => `${tokens['a-admin'].split('.')[0]}.${Buffer.from(JSON.stringify({ ...decodePayload(tokens['a-admin']), role: 'superadmin' })).toString('base64url')}.${tokens['a-admin'].split('.')[2]}`],
    ])('answers 401 to %s on every protected route', async (_name, token) => {
      const accepted: string[] = [];
      for (const route of protectedRoutes()) {
        const value = token();
        const response = await api().get(route.path).set(value ? { Authorization: `Bearer ${value}` } : {});
        if (response.status !== 401) accepted.push(`${route.path} → ${response.status}`);
      }
      expect(accepted).toEqual([]);
    });

    it('answers 401 to a revoked API key on every protected route', async () => {
      const key = await api().post('/api/api-keys').set(as('a-admin')).send({ name: 'Temporal', role: 'admin' }).expect(201);
      await api().get('/api/conversations').set({ 'X-Api-Key': key.body.key }).expect(200);
      await api().delete(`/api/api-keys/${key.body.id}`).set(as('a-admin')).expect((response) => expect([200, 204]).toContain(response.status));

      const accepted: string[] = [];
      for (const route of protectedRoutes()) {
        const response = await api().get(route.path).set({ 'X-Api-Key': key.body.key });
        if (response.status !== 401) accepted.push(`${route.path} → ${response.status}`);
      }
      expect(accepted).toEqual([]);
    });

    it("ends a deactivated user's token at once", async () => {
      await login(server, 'agente-b@charla.test', PASSWORD);
      const token = await login(server, 'agente-b@charla.test', PASSWORD);
      const users = await api().get('/api/users').set(as('b-admin')).expect(200);
      const agent = users.body.find((user: { email: string }) => user.email === 'agente-b@charla.test');
      await api().get('/api/conversations').set({ Authorization: `Bearer ${token}` }).expect(200);

      await api().patch(`/api/users/${agent.id}`).set(as('b-admin')).send({ active: false }).expect(200);
      await api().get('/api/conversations').set({ Authorization: `Bearer ${token}` }).expect(401);
    });
  });

  it.each([
    ['../../etc', '../../etc'],
    ['an encoded ../', '..%2F..%2Fetc'],
    ['a lower-case encoded ../', '%2e%2e%2f%2e%2e%2fetc'],
    ['a NUL byte', 'abc%00def'],
    ['10,000 characters', 'x'.repeat(10_000)],
    ['a reserved device name', 'CON'],
    ['a dot', '.'],
    ['an encoded dot', '%2E'],
  ])('answers 400 or 404 to %s as an id and writes nothing to disk', async (_name, id) => {
    const before = JSON.stringify([readdirSync(environment.authSessionsDir).sort(), readdirSync(environment.dataDir).sort()]);
    const wrong: string[] = [];

    for (const route of routes.filter((entry) => entry.path.includes(':id'))) {
      const path = route.path.replace(':id', id);
      // The superadmin passes every role check, so the answer comes from the id itself. Public
      // routes (signed media links) may also answer 403 for the missing signature.
      const response = await call(route, path, 'superadmin');
      const allowed = route.isPublic ? [400, 403, 404] : [400, 404];
      if (!allowed.includes(response.status)) wrong.push(`${route.method} ${route.path} → ${response.status}`);
    }

    expect(wrong).toEqual([]);
    expect(JSON.stringify([readdirSync(environment.authSessionsDir).sort(), readdirSync(environment.dataDir).sort()])).toBe(before);
  });

  it('never puts a password, token or key material in the logs or the responses', () => {
    const secrets = [PASSWORD, JWT_SECRET, ...Object.values(tokens)];
    const logs = environment.logs.text();
    for (const secret of secrets) {
      expect(logs.includes(secret)).toBe(false);
      expect(responses.some((text) => text.includes(secret))).toBe(false);
    }
    expect(logs).not.toMatch(/"(privKey|private|noiseKey|signedIdentityKey|advSecretKey)"\s*:/);
  });
});
