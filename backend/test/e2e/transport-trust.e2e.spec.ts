import request from 'supertest';
import type { RunningServer } from '../../src/bootstrap';
import { loadBaileys } from '../../src/whatsapp-sessions/baileys.provider';
import { linkNewSession, sessionStatus } from '../setup/flows';
import { startTestSimulator, TestSimulator, TestSimulatorOptions } from '../setup/simulator';
import { createTestEnvironment, FeedClient, login, startTestServer, TestEnvironment } from '../setup/test-app';

/** Long enough for a rejection, short enough that a missing check fails before jest's own timeout. */
const REJECTION_TIMEOUT_MS = 15_000;

describe('WhatsApp transport trust (sandbox, end to end)', () => {
  let environment: TestEnvironment;
  let simulator: TestSimulator | undefined;
  let server: RunningServer | undefined;
  let feed: FeedClient | undefined;
  let token: string;
  const auth = () => ({ Authorization: `Bearer ${token}` });
  const api = () => request(server!.url);

  beforeAll(async () => {
    environment = await createTestEnvironment();
  });

  // Each test gets its own simulator, and the app pins that simulator's advertised root. The pin is
  // process-wide, so one app and one simulator run at a time.
  afterEach(async () => {
    feed?.close();
    await server?.close();
    await simulator?.stop();
    feed = server = simulator = undefined;
  });

  afterAll(async () => {
    await environment?.cleanup();
  });

  async function startApp(options: TestSimulatorOptions = {}, env: NodeJS.ProcessEnv = {}): Promise<void> {
    simulator = await startTestSimulator(options);
    server = await startTestServer(environment, { SIMULATOR_URL: simulator.simulator.controlUrl, ...env });
    token = await login(server);
    feed = new FeedClient(server.url, token);
    await feed.connected();
  }

  async function createAndConnect(name: string): Promise<string> {
    const created = await api().post('/api/sessions').set(auth()).send({ name }).expect(201);
    const sessionId = created.body.id as string;
    await api().post(`/api/sessions/${sessionId}/connect`).set(auth()).expect(202);
    return sessionId;
  }

  function statusesOf(sessionId: string): string[] {
    return feed!.events.filter((entry) => entry.event === 'session.status' && entry.payload.sessionId === sessionId).map((entry) => entry.payload.status);
  }

  function logsMention(...parts: string[]): boolean {
    return environment.logs.lines.some((line) => parts.every((part) => line.includes(part)));
  }

  it('rejects an untrusted certificate root', async () => {
    await startApp({ untrustedCertRoot: true });
    const sessionId = await createAndConnect('Untrusted server');

    const failed = await feed!.waitFor('session.status', (payload) => payload.sessionId === sessionId && payload.status === 'failed', REJECTION_TIMEOUT_MS);
    expect(failed.reason).toBe('UNTRUSTED_SERVER');
    expect(statusesOf(sessionId)).not.toContain('qr');
    expect(statusesOf(sessionId)).not.toContain('connected');

    const session = await sessionStatus(server!, token, sessionId);
    expect(session.status).toBe('failed');
    expect(session.lastError.code).toBe('UNTRUSTED_SERVER');
    expect(session.lastError.message).toContain('noise intermediate certificate signature invalid');
    expect(logsMention(sessionId, 'noise intermediate certificate signature invalid')).toBe(true);
  });

  it('accepts an untrusted root only with WHATSAPP_VERIFY_SIGNATURES=false, and says so', async () => {
    await startApp({ untrustedCertRoot: true }, { WHATSAPP_VERIFY_SIGNATURES: 'false' });
    const sessionId = await createAndConnect('Checks off');

    await feed!.waitFor('session.qr', (payload) => payload.sessionId === sessionId, REJECTION_TIMEOUT_MS);
    expect(statusesOf(sessionId)).not.toContain('failed');
    expect(logsMention('WHATSAPP_VERIFY_SIGNATURES=false')).toBe(true);
  });

  it('rejects a forged account signature', async () => {
    await startApp({ forgeAccountSignature: true });
    const sessionId = await createAndConnect('Forged phone');
    await feed!.waitFor('session.qr', (payload) => payload.sessionId === sessionId);
    const qr = await api().get(`/api/sessions/${sessionId}/qr`).set(auth()).expect(200);

    const scan = await api().post('/api/sandbox/scan').set(auth()).send({ qr: qr.body.qr, phoneNumber: '+573000000401', pushName: 'Forged' });
    expect(scan.status).toBe(502);
    expect(scan.body.code).toBe('PAIRING_FAILED');

    const failed = await feed!.waitFor('session.status', (payload) => payload.sessionId === sessionId && payload.status === 'failed', REJECTION_TIMEOUT_MS);
    expect(failed.reason).toBe('PAIRING_REJECTED');
    expect(statusesOf(sessionId)).not.toContain('connected');

    const session = await sessionStatus(server!, token, sessionId);
    expect(session.phoneNumber).toBeNull();
    expect(session.lastError.code).toBe('PAIRING_REJECTED');
    expect(logsMention(sessionId, 'Failed to verify account signature')).toBe(true);
  });

  it('links through a genuine simulator', async () => {
    await startApp();
    const sessionId = await linkNewSession(server!, token, feed!, '+573000000402', 'Genuine');

    const session = await sessionStatus(server!, token, sessionId);
    expect(session.status).toBe('connected');
    expect(session.phoneNumber).toBe('+573000000402');

    // The link went through the strict check, pinned to this simulator's root.
    const baileys = await loadBaileys();
    expect(Buffer.from(baileys.WA_CERT_DETAILS.PUBLIC_KEY).equals(Buffer.from(simulator!.simulator.rootPublicKey))).toBe(true);
    const signer = baileys.Curve.generateKeyPair();
    const stranger = baileys.Curve.generateKeyPair();
    const message = Buffer.from('signed by the signer');
    const signature = baileys.Curve.sign(signer.private, message);
    expect(baileys.Curve.verify(signer.public, message, signature)).toBe(true);
    expect(baileys.Curve.verify(stranger.public, message, signature)).toBe(false);
  });
});
