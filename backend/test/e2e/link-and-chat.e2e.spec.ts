import { existsSync } from 'node:fs';
import { join } from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import request from 'supertest';
import type { RunningServer } from '../../src/bootstrap';
import { startTestSimulator } from '../setup/simulator';
import { ADMIN_PASSWORD, createTestEnvironment, eventually, FeedClient, login, startTestServer, TestEnvironment } from '../setup/test-app';

const BUSINESS = '+573000000001';
const CUSTOMER = '+573000000002';

function decodeQrDataUrl(dataUrl: string): string | undefined {
  const png = PNG.sync.read(Buffer.from(dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64'));
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
}

describe('Linking a WhatsApp account and chatting (sandbox, end to end)', () => {
  let environment: TestEnvironment;
  let simulator: Awaited<ReturnType<typeof startTestSimulator>>;
  let server: RunningServer | undefined;
  const feeds: FeedClient[] = [];
  const consoleOutput: string[] = [];
  const originalWrite = process.stdout.write.bind(process.stdout);

  beforeAll(async () => {
    // Everything the process prints while the test runs, to check that no key material leaks. The
    // capture goes in first, so the libsignal filter that the app installs sits in front of it.
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void consoleOutput.push(args.map(String).join(' ')));
    }
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      consoleOutput.push(String(chunk));
      return originalWrite(chunk, ...rest);
    }) as typeof process.stdout.write;
    simulator = await startTestSimulator();
    environment = await createTestEnvironment({ SIMULATOR_URL: simulator.simulator.controlUrl });
  });

  afterAll(async () => {
    process.stdout.write = originalWrite;
    jest.restoreAllMocks();
    feeds.forEach((feed) => feed.close());
    await server?.close();
    await simulator?.stop();
    await environment?.cleanup();
  });

  async function openFeed(token: string): Promise<FeedClient> {
    const feed = new FeedClient(server!.url, token);
    feeds.push(feed);
    await feed.connected();
    return feed;
  }

  it('links by QR, exchanges messages, survives a restart and unlinks', async () => {
    server = await startTestServer(environment);
    let token = await login(server);
    const api = () => request(server!.url);
    const auth = () => ({ Authorization: `Bearer ${token}` });
    let feed = await openFeed(token);

    const created = await api().post('/api/sessions').set(auth()).send({ name: 'Tienda centro' }).expect(201);
    const sessionId = created.body.id as string;
    expect(created.body).toMatchObject({ name: 'Tienda centro', status: 'disconnected', phoneNumber: null });

    await api().post(`/api/sessions/${sessionId}/connect`).set(auth()).expect(202);
    await api().post(`/api/sessions/${sessionId}/connect`).set(auth()).expect(202);

    const qrEvent = await feed.waitFor('session.qr', (payload) => payload.sessionId === sessionId);
    const qrResponse = await api().get(`/api/sessions/${sessionId}/qr`).set(auth()).expect(200);
    expect(qrResponse.body.qr).toBe(qrEvent.qr);
    expect(qrResponse.body.qrDataUrl).toBe(qrEvent.qrDataUrl);
    expect(new Date(qrResponse.body.expiresAt).getTime()).toBeGreaterThan(Date.now());
    expect(decodeQrDataUrl(qrResponse.body.qrDataUrl)).toBe(qrEvent.qr);

    await api().post('/api/sandbox/scan').set(auth()).send({ qr: qrEvent.qr, phoneNumber: BUSINESS, pushName: 'Tienda' }).expect(200);
    const connected = await feed.waitFor('session.status', (payload) => payload.sessionId === sessionId && payload.status === 'connected');
    expect(connected.phoneNumber).toBe(BUSINESS);
    await api().get(`/api/sessions/${sessionId}/qr`).set(auth()).expect(404);

    const session = await api().get(`/api/sessions/${sessionId}`).set(auth()).expect(200);
    expect(session.body).toMatchObject({ status: 'connected', phoneNumber: BUSINESS });

    await api().post('/api/sandbox/messages').set(auth()).send({ from: CUSTOMER, to: BUSINESS, content: 'Hola!', pushName: 'Ana' }).expect(201);
    const inbound = await feed.waitFor('message.created', (payload) => payload.message.content === 'Hola!');
    expect(inbound.message).toMatchObject({ sessionId, direction: 'in', type: 'text', senderName: 'Ana', status: 'received' });
    const conversationId = inbound.conversationId as string;

    const stored = await api().get('/api/messages').query({ filter: JSON.stringify({ conversationId }) }).set(auth()).expect(200);
    expect(stored.body).toHaveLength(1);
    expect(stored.body[0]).toMatchObject({ content: 'Hola!', direction: 'in', conversationId });
    expect(stored.headers['content-range']).toBe('messages 0-0/1');

    const conversation = await api().get(`/api/conversations/${conversationId}`).set(auth()).expect(200);
    expect(conversation.body).toMatchObject({ sessionId, unreadCount: 1, lastMessagePreview: 'Hola!', contact: { name: 'Ana', phoneNumber: CUSTOMER } });

    const sent = await api().post(`/api/sessions/${sessionId}/messages`).set(auth()).send({ to: '+57 300 000 0002', content: '¡Hola Ana! ¿En qué te ayudamos? 😊' }).expect(201);
    expect(sent.body).toMatchObject({ conversationId, status: 'pending' });
    expect(typeof sent.body.waMessageId).toBe('string');

    const received = await eventually(async () => {
      const inbox = await api().get(`/api/sandbox/inbox/${CUSTOMER}`).set(auth()).expect(200);
      return inbox.body.find((entry: { content: string }) => entry.content === '¡Hola Ana! ¿En qué te ayudamos? 😊');
    });
    expect(received).toMatchObject({ from: BUSINESS, waMessageId: sent.body.waMessageId });

    await feed.waitFor('message.updated', (payload) => payload.id === sent.body.id && payload.status === 'delivered');
    const delivered = await api().get(`/api/conversations/${conversationId}/messages`).set(auth()).expect(200);
    expect(delivered.body.map((message: { status: string }) => message.status)).toEqual(['received', 'delivered']);

    await api().post(`/api/conversations/${conversationId}/read`).set(auth()).expect(200);
    expect((await api().get(`/api/conversations/${conversationId}`).set(auth())).body.unreadCount).toBe(0);

    // Restart: the session comes back with its saved credentials and no new QR.
    await server.close();
    feed.close();
    server = await startTestServer(environment);
    token = await login(server);
    feed = await openFeed(token);
    await eventually(async () => {
      const response = await api().get(`/api/sessions/${sessionId}`).set(auth());
      return response.body.status === 'connected' ? true : undefined;
    });
    expect(feed.events.filter((entry) => entry.event === 'session.qr')).toHaveLength(0);

    await api().post('/api/sandbox/messages').set(auth()).send({ from: CUSTOMER, to: BUSINESS, content: 'Sigo aquí', pushName: 'Ana' }).expect(201);
    await feed.waitFor('message.created', (payload) => payload.message.content === 'Sigo aquí');

    // Disconnect logs the device out and deletes the credentials, and keeps the messages.
    const folder = join(environment.authSessionsDir, sessionId);
    expect(existsSync(join(folder, 'creds.json'))).toBe(true);
    const disconnected = await api().post(`/api/sessions/${sessionId}/disconnect`).set(auth()).expect(200);
    expect(disconnected.body.status).toBe('logged_out');
    expect(existsSync(folder)).toBe(false);
    const kept = await api().get(`/api/conversations/${conversationId}/messages`).set(auth()).expect(200);
    expect(kept.body.map((message: { content: string }) => message.content)).toEqual(['Hola!', '¡Hola Ana! ¿En qué te ayudamos? 😊', 'Sigo aquí']);

    // Logs are structured, carry the session id, and hold no token, password or key material.
    const logText = environment.logs.text();
    expect(environment.logs.lines.every((line) => JSON.parse(line))).toBe(true);
    expect(environment.logs.lines.some((line) => JSON.parse(line).sessionId === sessionId)).toBe(true);
    expect(logText).not.toContain(token);
    expect(logText).not.toContain(ADMIN_PASSWORD);
    expect(logText).not.toContain(qrEvent.qr);
    const printed = consoleOutput.join('\n');
    expect(printed).not.toMatch(/Opening session|Closing session|Removing old closed session|privKey|rootKey/);
    expect(printed).not.toContain(token);
  });
});
