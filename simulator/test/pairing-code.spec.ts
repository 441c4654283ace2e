import { startSimulator, type WhatsAppSimulator } from '../src';
import { api, connect, loadBaileys, memoryAuth, type Baileys, type TestClient } from './helpers';

// Long enough for the PBKDF2 rounds on both sides, short enough to keep the suite fast.
const QR_TIMEOUT_MS = 3_000;

describe('pairing-code linking with real Baileys', () => {
  let wa: Baileys;
  let sim: WhatsAppSimulator;
  const clients: TestClient[] = [];

  const companion = async () => {
    const auth = memoryAuth(wa);
    const client = connect(wa, sim.wsUrl, auth, QR_TIMEOUT_MS);
    clients.push(client);
    // The registration is in place once the first QR shows, so the app can request a code.
    await client.waitFor('connection.update', d => !!d.qr, 10_000, 'qr');
    return { auth, client };
  };
  const enterCode = (phoneNumber: string, code: string) => api(sim.controlUrl, 'POST', '/control/pairing-code', { phoneNumber, code, pushName: 'Tienda Código' });
  /** Resolves with the server's reply to companion_hello, as an app can observe it on `sock.ws`. */
  const helloReply = (client: TestClient) =>
    new Promise<any>(resolve => {
      const onFrame = (frame: any) => {
        if (frame.tag !== 'iq' || (frame.attrs.type !== 'result' && frame.attrs.type !== 'error')) return;
        const first = Array.isArray(frame.content) ? frame.content[0] : undefined;
        if (frame.attrs.type === 'error' || first?.tag === 'link_code_companion_reg') {
          client.sock.ws.off('frame', onFrame);
          resolve(frame);
        }
      };
      client.sock.ws.on('frame', onFrame);
    });

  beforeAll(async () => {
    wa = await loadBaileys();
    sim = await startSimulator();
    wa.WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(sim.rootPublicKey);
  });

  afterAll(async () => {
    for (const c of clients) await c.end();
    await sim?.close();
  });

  it('links with a pairing code', async () => {
    const phone = '573200000001';
    const { auth, client } = await companion();
    expect((await enterCode(phone, 'ABCDEFGH')).body.code).toBe('PAIRING_NOT_FOUND');

    const reply = helloReply(client);
    const code = await client.sock.requestPairingCode(phone);
    expect(code).toMatch(/^[0-9A-Z]{8}$/);
    const hello = await reply;
    expect(hello.attrs.type).toBe('result');
    expect(hello.content[0].content[0].tag).toBe('link_code_pairing_ref');

    // A wrong code: the phone cannot open the companion's key bundle, and nothing is linked.
    const wrong = code.startsWith('A') ? `B${code.slice(1)}` : `A${code.slice(1)}`;
    const mismatch = await enterCode(phone, wrong);
    expect(mismatch.status).toBe(409);
    expect(mismatch.body.code).toBe('PAIRING_CODE_MISMATCH');
    expect(client.events.some(e => e.event === 'creds.update' && e.data.me?.lid)).toBe(false);

    // The request is still pending, so the right code (typed the way the phone shows it) links.
    const linked = await enterCode(`+${phone}`, `${code.slice(0, 4)}-${code.slice(4)}`);
    expect(linked.status).toBe(200);
    expect(linked.body).toEqual({
      phoneNumber: `+${phone}`,
      jid: expect.stringMatching(/^573200000001:\d+@s\.whatsapp\.net$/),
      lid: expect.stringMatching(/^\d+:\d+@lid$/),
    });
    const creds = await client.waitFor('creds.update', d => !!d.me?.lid, 5_000, 'creds.update with me');
    expect(creds.me).toEqual({ id: linked.body.jid, lid: linked.body.lid, name: 'Tienda Código' });
    expect(auth.creds.registered).toBe(true);
    expect(await client.waitForClose()).toBe(515);

    const session = connect(wa, sim.wsUrl, auth);
    clients.push(session);
    await session.waitFor('connection.update', d => d.connection === 'open', 10_000, 'open');
    expect(session.sock.user?.id).toBe(linked.body.jid);
    const sent = await api(sim.controlUrl, 'POST', '/control/messages', { from: '+573200000091', to: `+${phone}`, content: 'hola por código' });
    expect(sent.status).toBe(201);
    await session.waitForText('hola por código');
  });

  it('pairing-reject refuses the next request', async () => {
    const phone = '573200000002';
    const rejected = await api(sim.controlUrl, 'POST', '/control/faults', { kind: 'pairing-reject', phoneNumber: phone });
    expect(rejected).toEqual({ status: 200, body: { kind: 'pairing-reject', applied: true, connections: 0, devices: [] } });

    const { client } = await companion();
    const reply = helloReply(client);
    const code = await client.sock.requestPairingCode(phone);
    const refusal = await reply;
    expect(refusal.attrs.type).toBe('error');
    expect(refusal.content[0].attrs.code).toBe('400');
    expect((await enterCode(phone, code)).body.code).toBe('PAIRING_NOT_FOUND');

    // The fault is used up: asking again gets a code the phone can enter.
    const again = helloReply(client);
    const second = await client.sock.requestPairingCode(phone);
    expect((await again).attrs.type).toBe('result');
    const linked = await enterCode(phone, second);
    expect(linked.status).toBe(200);
    expect(await client.waitForClose()).toBe(515);
  });

  it('rejects malformed codes', async () => {
    const short = await enterCode('573200000003', 'ABC');
    expect(short.status).toBe(400);
    expect(short.body.code).toBe('INVALID_CODE');
  });
});
