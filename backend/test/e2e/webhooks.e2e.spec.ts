import { createHmac } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { RunningServer } from '../../src/bootstrap';
import { linkNewSession } from '../setup/flows';
import { startTestSimulator } from '../setup/simulator';
import { createTestEnvironment, eventually, FeedClient, login, startTestServer, TestEnvironment } from '../setup/test-app';

const BUSINESS = '+573000000091';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A webhook receiver on 127.0.0.1: each path answers with its list of statuses in turn (the last one repeats); `hang` never answers. */
class Receiver {
  readonly received: Received[] = [];
  readonly script = new Map<string, (number | 'hang')[]>();
  private readonly server: Server = createServer((req, res) => this.handle(req, res));
  private readonly open = new Set<ServerResponse>();
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  to(path: string): Received[] {
    return this.received.filter((entry) => entry.path === path);
  }

  async stop(): Promise<void> {
    for (const response of this.open) response.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '';
      this.received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const statuses = this.script.get(path) ?? [200];
      const status = statuses.length > 1 ? statuses.shift()! : statuses[0];
      if (status === 'hang') {
        this.open.add(res);
        return;
      }
      if (status === 302) {
        res.writeHead(302, { location: `${other.url}/target` }).end();
        return;
      }
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'error');
    });
  }
}

const receiver = new Receiver();
const other = new Receiver();

describe('Outbound webhooks', () => {
  let environment: TestEnvironment;
  let simulator: Awaited<ReturnType<typeof startTestSimulator>>;
  let server: RunningServer;
  let token: string;
  let feed: FeedClient;
  const auth = () => ({ Authorization: `Bearer ${token}` });
  const api = () => request(server.url);

  beforeAll(async () => {
    await receiver.start();
    await other.start();
    simulator = await startTestSimulator();
    environment = await createTestEnvironment({
      SIMULATOR_URL: simulator.simulator.controlUrl,
      ALLOW_PRIVATE_NETWORK_URLS: 'true',
      WEBHOOK_RETRY_BASE_DELAY_MS: '200',
      WEBHOOK_MAX_ATTEMPTS: '3',
      WEBHOOK_TIMEOUT_MS: '1000',
    });
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
    await receiver.stop();
    await other.stop();
    await environment?.cleanup();
  });

  async function createEndpoint(path: string, events: string[] = ['message.created']): Promise<{ id: string; secret: string }> {
    const response = await api().post('/api/webhooks').set(auth()).send({ url: `${receiver.url}${path}`, events, description: path }).expect(201);
    return response.body;
  }

  async function settledDelivery(id: string, timeoutMs = 20_000): Promise<any> {
    return eventually(async () => {
      const delivery = await api().get(`/api/webhook-deliveries/${id}`).set(auth()).expect(200);
      return ['delivered', 'failed'].includes(delivery.body.status) ? delivery.body : undefined;
    }, timeoutMs);
  }

  it('signs each delivery so the receiver can verify it', async () => {
    const endpoint = await createEndpoint('/events');
    expect(endpoint.secret).toMatch(/^whsec_/);
    const shown = await api().get(`/api/webhooks/${endpoint.id}`).set(auth()).expect(200);
    expect(shown.body.hasSecret).toBe(true);
    expect(JSON.stringify(shown.body)).not.toContain(endpoint.secret);

    await api().post('/api/sandbox/messages').set(auth()).send({ from: '+573000000092', to: BUSINESS, content: 'Hola webhook' }).expect(201);
    const delivery = await eventually(async () =>
      receiver.to('/events').find((entry) => entry.headers['x-charla-event'] === 'message.created' && JSON.parse(entry.body).data.message.content === 'Hola webhook'),
    );

    const timestamp = String(delivery.headers['x-charla-timestamp']);
    const expected = createHmac('sha256', endpoint.secret).update(`${timestamp}.${delivery.body}`).digest('hex');
    expect(delivery.headers['x-charla-signature']).toBe(expected);
    expect(Math.abs(Date.now() / 1000 - Number(timestamp))).toBeLessThan(300);
    const body = JSON.parse(delivery.body);
    expect(delivery.headers['x-charla-delivery']).toBe(body.id);
    expect(body.event).toBe('message.created');
    expect(body.data.message.direction).toBe('in');

    const forged = createHmac('sha256', 'whsec_wrong').update(`${timestamp}.${delivery.body}`).digest('hex');
    expect(delivery.headers['x-charla-signature']).not.toBe(forged);
    expect((await settledDelivery(body.id)).status).toBe('delivered');
  });

  it('retries a 500 with backoff until it is delivered', async () => {
    receiver.script.set('/flaky', [500, 500, 200]);
    const endpoint = await createEndpoint('/flaky');
    const queued = await api().post(`/api/webhooks/${endpoint.id}/test`).set(auth()).expect(202);

    const delivery = await settledDelivery(queued.body.id);
    expect(delivery.status).toBe('delivered');
    expect(delivery.attempts).toBe(3);
    expect(delivery.attemptLog.map((attempt: { statusCode: number }) => attempt.statusCode)).toEqual([500, 500, 200]);
    const sent = receiver.to('/flaky');
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((entry) => entry.headers['x-charla-delivery']))).toEqual(new Set([queued.body.id]));
  });

  it('gives up after the last attempt on 500 and on timeouts', async () => {
    receiver.script.set('/down', [500]);
    receiver.script.set('/slow', ['hang']);
    const down = await createEndpoint('/down');
    const slow = await createEndpoint('/slow');
    const first = await api().post(`/api/webhooks/${down.id}/test`).set(auth()).expect(202);
    const second = await api().post(`/api/webhooks/${slow.id}/test`).set(auth()).expect(202);

    const failed = await settledDelivery(first.body.id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 3, lastStatusCode: 500 });
    const timedOut = await settledDelivery(second.body.id);
    expect(timedOut).toMatchObject({ status: 'failed', attempts: 3 });
    expect(timedOut.lastError).toContain('timed out after 1000 ms');
    expect(environment.logs.text()).toContain('Webhook delivery failed; giving up');
  });

  it('does not retry a 400', async () => {
    receiver.script.set('/rejects', [400]);
    const endpoint = await createEndpoint('/rejects');
    const queued = await api().post(`/api/webhooks/${endpoint.id}/test`).set(auth()).expect(202);

    const delivery = await settledDelivery(queued.body.id);
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: 400 });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(receiver.to('/rejects')).toHaveLength(1);
  });

  it('does not follow redirects', async () => {
    receiver.script.set('/moved', [302]);
    const endpoint = await createEndpoint('/moved');
    const queued = await api().post(`/api/webhooks/${endpoint.id}/test`).set(auth()).expect(202);

    const delivery = await settledDelivery(queued.body.id);
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1 });
    expect(delivery.lastError).toContain('redirect');
    expect(other.to('/target')).toHaveLength(0);
  });

  it('lists deliveries per endpoint with a Content-Range', async () => {
    const [endpoint] = (await api().get('/api/webhooks').set(auth()).expect(200)).body.filter((entry: { description: string }) => entry.description === '/flaky');
    const listed = await api()
      .get('/api/webhook-deliveries')
      .query({ filter: JSON.stringify({ endpointId: endpoint.id }), range: '[0,9]' })
      .set(auth())
      .expect(200);
    expect(listed.headers['content-range']).toBe('webhook-deliveries 0-0/1');
    expect(listed.body[0]).toMatchObject({ endpointId: endpoint.id, event: 'webhook.test', status: 'delivered' });
  });

  it('rejects unknown events and lets only admins manage webhooks', async () => {
    const invalid = await api().post('/api/webhooks').set(auth()).send({ url: `${receiver.url}/x`, events: ['message.deleted'] }).expect(400);
    expect(invalid.body.errors[0].field).toBe('events');

    await api().post('/api/users').set(auth()).send({ email: 'agente-webhooks@charla.test', name: 'Agente', password: 'agent-password-1', role: 'agent' }).expect(201);
    const agentToken = await login(server, 'agente-webhooks@charla.test', 'agent-password-1');
    await api().get('/api/webhooks').set({ Authorization: `Bearer ${agentToken}` }).expect(403);
  });
});
