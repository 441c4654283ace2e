import { startSimulator, type WhatsAppSimulator } from '../src';
import { api, connect, eventually, linkAndLogin, loadBaileys, memoryAuth, type Baileys, type TestClient } from './helpers';

const QR_TIMEOUT_MS = 400;

describe('QR validation and multi-device linking', () => {
  let wa: Baileys;
  let sim: WhatsAppSimulator;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    wa = await loadBaileys();
    // No stateDir, so everything stays in memory. qrTimeoutMs matches the companions' QR timer.
    sim = await startSimulator({ qrTimeoutMs: QR_TIMEOUT_MS, qrRefCount: 6 });
    wa.WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(sim.rootPublicKey);
  });

  afterAll(async () => {
    for (const c of clients) await c.end();
    await sim?.close();
  });

  it('scan rejects invalid QRs', async () => {
    const pairing = connect(wa, sim.wsUrl, memoryAuth(wa), QR_TIMEOUT_MS);
    clients.push(pairing);
    await pairing.waitFor('connection.update', () => pairing.qrs().length >= 3, 10_000, 'third qr');
    const [first] = pairing.qrs();
    const current = pairing.qrs().at(-1)!;

    const malformed = await api(sim.controlUrl, 'POST', '/control/scan', { qr: 'not a qr', phoneNumber: '+573000000010' });
    expect(malformed).toEqual({ status: 400, body: { statusCode: 400, code: 'INVALID_QR', message: expect.any(String) } });

    const rotated = await api(sim.controlUrl, 'POST', '/control/scan', { qr: first, phoneNumber: '+573000000010' });
    expect(rotated.status).toBe(404);
    expect(rotated.body.code).toBe('QR_NOT_FOUND');

    const fields = current.split(',');
    fields[1] = Buffer.alloc(32, 7).toString('base64');
    const foreign = await api(sim.controlUrl, 'POST', '/control/scan', { qr: fields.join(','), phoneNumber: '+573000000010' });
    expect(foreign.status).toBe(409);
    expect(foreign.body.code).toBe('NOISE_KEY_MISMATCH');

    const badPhone = await api(sim.controlUrl, 'POST', '/control/scan', { qr: current, phoneNumber: 'abc' });
    expect(badPhone.body.code).toBe('INVALID_PHONE');

    // Once the refs run out Baileys closes with 408, and nothing it showed can be scanned.
    expect(await pairing.waitForClose()).toBe(408);
    const stale = await api(sim.controlUrl, 'POST', '/control/scan', { qr: current, phoneNumber: '+573000000010' });
    expect(stale.body.code).toBe('QR_NOT_FOUND');
  });

  it('two devices share one phone', async () => {
    const phone = '+573000000020';
    const a = await linkAndLogin(wa, sim, memoryAuth(wa), phone, 'Tienda');
    clients.push(a.client);
    const b = await linkAndLogin(wa, sim, memoryAuth(wa), phone, 'Tienda');
    clients.push(b.client);
    expect(a.scan.jid).not.toBe(b.scan.jid);
    // One phone account: one LID user for both devices.
    expect(a.scan.lid.split(':')[0]).toBe(b.scan.lid.split(':')[0]);

    const sent = await api(sim.controlUrl, 'POST', '/control/messages', { from: '+573000000021', to: phone, content: 'hola a ambos', pushName: 'Carla' });
    expect(sent.status).toBe(201);
    await Promise.all([a.client.waitForText('hola a ambos'), b.client.waitForText('hola a ambos')]);

    // Device A's send fans out to the contact, the phone and device B; the contact gets its copy.
    const out = await a.client.sock.sendMessage('573000000021@s.whatsapp.net', { text: 'respuesta desde A' });
    const item = await eventually(async () => {
      const res = await api<any[]>(sim.controlUrl, 'GET', '/control/inbox/573000000021');
      return res.body.find(i => i.waMessageId === out!.key.id);
    }, 10_000, 'inbox item from device A');
    expect(item).toMatchObject({ from: phone, content: 'respuesta desde A', status: 'delivered' });

    // A number is on WhatsApp once it is a contact (here: one that wrote) or an account; Baileys drops the rest.
    const lookup = await a.client.sock.onWhatsApp('+573000000021', '+573000000099');
    expect(lookup).toEqual([expect.objectContaining({ jid: '573000000021@s.whatsapp.net', exists: true })]);

    const unknown = await api(sim.controlUrl, 'GET', '/control/inbox/+573999999999');
    expect(unknown).toEqual({ status: 200, body: [] });
    await new Promise(resolve => setTimeout(resolve, 300));
  });

  it('retry receipt triggers a resend', async () => {
    const phone = '+573000000030';
    const auth = memoryAuth(wa);
    const { client } = await linkAndLogin(wa, sim, auth, phone);
    clients.push(client);
    const first = await api(sim.controlUrl, 'POST', '/control/messages', { from: '+573000000031', to: phone, content: 'uno' });
    expect(first.status).toBe(201);
    await client.waitForText('uno');

    // The app loses its Signal sessions: the next message cannot be decrypted until the contact resends it.
    auth.clear('session');
    const second = await api(sim.controlUrl, 'POST', '/control/messages', { from: '+573000000031', to: phone, content: 'dos' });
    const resent = await client.waitForText('dos', 15_000);
    expect(resent.key.id).toBe(second.body.waMessageId);
  });
});
