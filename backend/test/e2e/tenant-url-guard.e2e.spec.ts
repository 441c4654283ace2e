import request from 'supertest';
import type { RunningServer } from '../../src/bootstrap';
import { createTestEnvironment, login, startTestServer, TestEnvironment } from '../setup/test-app';
import { withClient } from '../setup/test-database';

/** Each URL must be refused at save with 400 URL_NOT_ALLOWED while ALLOW_PRIVATE_NETWORK_URLS is off. */
const REFUSED_URLS: [string, string][] = [
  ['IPv4 loopback', 'http://127.0.0.1:8080/hook'],
  ['loopback by name', 'http://localhost/hook'],
  ['IPv4 loopback, short form', 'http://127.1/hook'],
  ['IPv4 loopback as a decimal number', 'http://2130706433/hook'],
  ['IPv4 loopback in hexadecimal', 'http://0x7f000001/hook'],
  ['IPv6 loopback', 'http://[::1]/hook'],
  ['IPv4-mapped IPv6 loopback', 'http://[::ffff:127.0.0.1]/hook'],
  ['the unspecified address', 'http://0.0.0.0/hook'],
  ['private 10/8', 'http://10.0.0.5/hook'],
  ['private 172.16/12', 'https://172.16.3.4/hook'],
  ['private 192.168/16', 'http://192.168.1.10/hook'],
  ['carrier-grade NAT', 'http://100.64.0.1/hook'],
  ['cloud metadata (IPv4)', 'http://169.254.169.254/latest/meta-data/'],
  ['cloud metadata (IPv6)', 'http://[fd00:ec2::254]/latest/meta-data/'],
  ['IPv6 link-local', 'http://[fe80::1]/hook'],
  ['IPv6 unique local', 'http://[fc00::5]/hook'],
  ['a file URL', 'file:///etc/passwd'],
  ['an FTP URL', 'ftp://ftp.example.com/hook'],
  ['credentials in the URL', 'http://user:secret@example.com/hook'],
  ['not a URL', 'not a url'],
];

describe('Tenant URLs refused at save', () => {
  let environment: TestEnvironment;
  let server: RunningServer;
  let token: string;
  const auth = () => ({ Authorization: `Bearer ${token}` });
  const api = () => request(server.url);

  beforeAll(async () => {
    environment = await createTestEnvironment({ ALLOW_PRIVATE_NETWORK_URLS: 'false' });
    server = await startTestServer(environment);
    token = await login(server);
  });

  afterAll(async () => {
    await server?.close();
    await environment?.cleanup();
  });

  it.each(REFUSED_URLS)('refuses a webhook to %s', async (_name, url) => {
    const response = await api().post('/api/webhooks').set(auth()).send({ url, events: ['message.created'] }).expect(400);
    expect(response.body.code).toBe('URL_NOT_ALLOWED');
    expect(response.body.errors[0].field).toBe('url');
    expect(response.body.message).not.toContain('secret@');
  });

  it('stores no refused webhook', async () => {
    const { rows } = await withClient(environment.database.url, (client) => client.query('select count(*)::int as count from webhook_endpoints'));
    expect(rows[0].count).toBe(0);
  });

  it.each([
    ['the model base URL', { llm: { provider: 'openai', baseUrl: 'http://169.254.169.254/v1', model: 'm', systemPrompt: '', temperature: 0, maxTokens: 100, monthlyTokenBudget: 0, historyMessages: 5, timeoutMs: 5000 } }, 'llm.baseUrl'],
    ['the webhook hook URL', { webhook: { url: 'http://10.1.2.3/answer', timeoutMs: 5000 } }, 'webhook.url'],
  ])('refuses %s pointing at a private address', async (_name, body, field) => {
    const response = await api().put('/api/automation').set(auth()).send(body).expect(400);
    expect(response.body.code).toBe('URL_NOT_ALLOWED');
    expect(response.body.errors[0].field).toBe(field);
  });
});
