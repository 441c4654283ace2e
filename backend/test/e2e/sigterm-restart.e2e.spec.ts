import request from 'supertest';
import type { RunningServer } from '../../src/bootstrap';
import { AppProcess } from '../setup/app-process';
import { linkNewSession, waitForInbox } from '../setup/flows';
import { startTestSimulator } from '../setup/simulator';
import { createTestEnvironment, eventually, FeedClient, login, TestEnvironment } from '../setup/test-app';
import { withClient } from '../setup/test-database';

const BUSINESS = '+573000000031';
const CUSTOMER = '+573000000032';

describe('SIGTERM during traffic, then a restart', () => {
  let environment: TestEnvironment;
  let simulator: Awaited<ReturnType<typeof startTestSimulator>>;
  let app: AppProcess | undefined;
  const feeds: FeedClient[] = [];

  beforeAll(async () => {
    simulator = await startTestSimulator();
    environment = await createTestEnvironment({ SIMULATOR_URL: simulator.simulator.controlUrl, LOG_LEVEL: 'info', OUTBOX_SESSION_GAP_MS: '20', OUTBOX_CHAT_GAP_MS: '40', OUTBOX_JITTER_MS: '20' });
  });

  afterAll(async () => {
    feeds.forEach((feed) => feed.close());
    await app?.terminate();
    await simulator?.stop();
    await environment?.cleanup();
  });

  /** A contact writes through the simulator itself, which keeps working while the app is down. */
  async function contactSends(content: string): Promise<boolean> {
    const response = await fetch(new URL('/control/messages', simulator.simulator.controlUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: CUSTOMER, to: BUSINESS, content, pushName: 'Ana' }),
    });
    return response.status === 201;
  }

  it('loses no acknowledged message, sends none twice and needs no new QR', async () => {
    app = new AppProcess(environment.env);
    await app.start();
    const server = { url: app.url } as RunningServer;
    const token = await login(server);
    const feed = new FeedClient(app.url, token);
    feeds.push(feed);
    await feed.connected();
    const sessionId = await linkNewSession(server, token, feed, BUSINESS);

    const acknowledgedInbound: string[] = [];
    const acknowledgedOutbound: string[] = [];
    let stop = false;
    const inboundTraffic = (async () => {
      for (let index = 0; !stop && index < 200; index += 1) {
        const content = `entrante ${index}`;
        if (await contactSends(content)) acknowledgedInbound.push(content);
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
    })();
    const outboundTraffic = (async () => {
      for (let index = 0; !stop && index < 200; index += 1) {
        const content = `saliente ${index}`;
        const response = await fetch(new URL(`/api/sessions/${sessionId}/messages`, app!.url), {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ to: CUSTOMER, content }),
        }).catch(() => undefined);
        if (response?.status === 201) acknowledgedOutbound.push(content);
        if (!response) break;
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
    })();

    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await app.terminate()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    stop = true;
    await Promise.all([inboundTraffic, outboundTraffic]);
    expect(acknowledgedInbound.length).toBeGreaterThan(5);
    expect(acknowledgedOutbound.length).toBeGreaterThan(5);

    app = new AppProcess(environment.env);
    await app.start();
    const restarted = { url: app.url } as RunningServer;
    const newToken = await login(restarted);
    await eventually(async () => ((await request(app!.url).get(`/api/sessions/${sessionId}`).set({ Authorization: `Bearer ${newToken}` })).body.status === 'connected' ? true : undefined));

    const stored = await eventually(async () => {
      const { rows } = await withClient(environment.database.url, (client) =>
        client.query(`select content from messages where session_id = $1 and direction = 'in'`, [sessionId]),
      );
      const contents = new Set(rows.map((row: { content: string }) => row.content));
      const missing = acknowledgedInbound.filter((content) => !contents.has(content));
      if (missing.length > 0) throw new Error(`not stored: ${missing.join(', ')} (acknowledged ${acknowledgedInbound.length})`);
      return rows;
    }, 30_000);
    expect(stored.length).toBe(new Set(stored.map((row: { content: string }) => row.content)).size);

    const inbox = await waitForInbox(restarted, newToken, CUSTOMER, (entries) => acknowledgedOutbound.every((content) => entries.some((entry) => entry.content === content)), 30_000);
    for (const content of acknowledgedOutbound) expect(inbox.filter((entry) => entry.content === content)).toHaveLength(1);

    const qrRequests = app.output.join('').split('\n').filter((line) => line.includes('"sessionId"') && line.includes('QR'));
    expect(qrRequests).toEqual([]);
    const { rows: qrRows } = await withClient(environment.database.url, (client) => client.query('select qr from whatsapp_sessions where id = $1', [sessionId]));
    expect(qrRows[0].qr).toBeNull();
  });
});
