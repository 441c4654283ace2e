import { startSimulator, type WhatsAppSimulator } from '../src';
import { api, connect, eventually, linkAndLogin, loadBaileys, memoryAuth, type Baileys, type MemoryAuth, type TestClient } from './helpers';

// Each test links its own phone number, so a fault never leaks into the next test.
describe('fault injection with real Baileys', () => {
  let wa: Baileys;
  let sim: WhatsAppSimulator;
  const clients: TestClient[] = [];

  const open = async (auth: MemoryAuth, config: Record<string, unknown> = {}) => {
    const client = connect(wa, sim.wsUrl, auth, 1_000, config);
    clients.push(client);
    await client.waitFor('connection.update', d => d.connection === 'open', 10_000, 'open');
    return client;
  };
  const link = async (phone: string, config: Record<string, unknown> = {}) => {
    const auth = memoryAuth(wa);
    const { client, scan } = await linkAndLogin(wa, sim, auth, phone);
    clients.push(client);
    if (Object.keys(config).length === 0) return { auth, client, jid: scan.jid };
    // Log in again with the requested socket options (e.g. a short keepalive).
    await settle();
    await client.end();
    return { auth, client: await open(auth, config), jid: scan.jid };
  };
  const fault = (body: Record<string, unknown>) => api(sim.controlUrl, 'POST', '/control/faults', body);
  const fromContact = (from: string, to: string, content: string) => api(sim.controlUrl, 'POST', '/control/messages', { from, to, content });
  // Queries Baileys fires right after `open` must finish before a socket is ended on purpose.
  const settle = () => new Promise(resolve => setTimeout(resolve, 300));
  const upsertsOf = (id: string) =>
    clients.flatMap(c => c.events.filter(e => e.event === 'messages.upsert').flatMap(e => e.data.messages)).filter((m: any) => m.key.id === id).length;

  // Baileys silently drops a replayed duplicate, so "never twice" is checked on the wire.
  const deliveriesOf = (id: string) => clients.flatMap(c => c.received).filter(f => f.tag === 'message' && f.attrs.id === id).length;

  beforeAll(async () => {
    wa = await loadBaileys();
    sim = await startSimulator({ qrRefCount: 6 });
    wa.WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(sim.rootPublicKey);
  });

  afterAll(async () => {
    for (const c of clients) await c.end();
    await sim?.close();
  });

  it('rejects unknown kinds and missing targets', async () => {
    expect(await fault({ kind: 'meteor', phoneNumber: '+573100000000' })).toEqual({
      status: 400,
      body: { statusCode: 400, code: 'INVALID_FAULT', message: expect.any(String) },
    });
    const missing = await fault({ kind: 'drop', deviceJid: '573100000000:1@s.whatsapp.net' });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('TARGET_NOT_FOUND');
    expect((await fault({ kind: 'logout', phoneNumber: '+573100000000' })).body.code).toBe('TARGET_NOT_FOUND');
    expect((await fault({ kind: 'drop' })).body.code).toBe('INVALID_TARGET');
  });

  it('QR refs run out: 408', async () => {
    const pairing = connect(wa, sim.wsUrl, memoryAuth(wa), 200);
    clients.push(pairing);
    const error = await pairing.waitForCloseError(10_000);
    expect(error.output.statusCode).toBe(408);
    expect(error.message).toBe('QR refs attempts ended');
    expect(pairing.qrs()).toHaveLength(6);
  });

  it('drop: 428, backlog once', async () => {
    const phone = '+573100000001';
    const { auth, client, jid } = await link(phone);
    await settle();
    const applied = await fault({ kind: 'drop', deviceJid: jid });
    expect(applied).toEqual({ status: 200, body: { kind: 'drop', applied: true, connections: 1, devices: [] } });
    const error = await client.waitForCloseError();
    expect(error.output.statusCode).toBe(428);
    expect(error.message).toBe('Connection Terminated');

    const first = await fromContact('+573100000091', phone, 'during drop 1');
    const second = await fromContact('+573100000092', phone, 'during drop 2');
    const back = connect(wa, sim.wsUrl, auth);
    clients.push(back);
    await Promise.all([back.waitForText('during drop 1'), back.waitForText('during drop 2')]);
    await back.waitFor('connection.update', d => d.connection === 'open', 10_000, 'open');
    await settle();

    // A second outage and reconnect must not replay the backlog.
    await fault({ kind: 'drop', phoneNumber: phone });
    expect(await back.waitForClose()).toBe(428);
    const again = await open(auth);
    await again.waitFor('connection.update', d => d.receivedPendingNotifications === true, 10_000, 'offline marker');
    await settle();
    for (const { body } of [first, second]) {
      expect(deliveriesOf(body.waMessageId)).toBe(1);
      expect(upsertsOf(body.waMessageId)).toBe(1);
    }
  });

  it('stall: 408 after keepalive, backlog once', async () => {
    const phone = '+573100000002';
    const keepAlive = { keepAliveIntervalMs: 1_000 };
    const { auth, client, jid } = await link(phone, keepAlive);
    await settle();
    const stalledAt = Date.now();
    expect((await fault({ kind: 'stall', deviceJid: jid })).status).toBe(200);
    // Sent while Baileys still believes it is connected: this must wait for the next login.
    const during = await fromContact('+573100000093', phone, 'during stall');
    const error = await client.waitForCloseError(15_000);
    expect(error.output.statusCode).toBe(408);
    expect(error.message).toBe('Connection was lost');
    // Baileys allows keepAlive + 5 s of silence, counted from the last frame before the stall.
    expect(Date.now() - stalledAt).toBeGreaterThanOrEqual(4_500);
    expect(deliveriesOf(during.body.waMessageId)).toBe(0);

    const back = connect(wa, sim.wsUrl, auth, 1_000, keepAlive);
    clients.push(back);
    await back.waitForText('during stall');
    await back.waitFor('connection.update', d => d.connection === 'open', 10_000, 'open');
    await settle();
    await back.end();
    const again = await open(auth, keepAlive);
    await again.waitFor('connection.update', d => d.receivedPendingNotifications === true, 10_000, 'offline marker');
    await settle();
    expect(deliveriesOf(during.body.waMessageId)).toBe(1);
    expect(upsertsOf(during.body.waMessageId)).toBe(1);
  }, 30_000);

  it('bad-session: 500', async () => {
    const { client, jid } = await link('+573100000003');
    await settle();
    expect((await fault({ kind: 'bad-session', deviceJid: jid })).status).toBe(200);
    const error = await client.waitForCloseError();
    expect(error.output.statusCode).toBe(500);
    expect(error.message).toBe('Stream Errored (sim-bad-session)');
  });

  it('downgrade: 411', async () => {
    const { client, jid } = await link('+573100000004');
    await settle();
    expect((await fault({ kind: 'downgrade', deviceJid: jid })).status).toBe(200);
    const error = await client.waitForCloseError();
    expect(error.output.statusCode).toBe(411);
    expect(error.message).toBe('Multi-device beta not joined');
  });

  it('conflict: 440, device kept', async () => {
    const { auth, client, jid } = await link('+573100000005');
    await settle();
    expect((await fault({ kind: 'conflict', deviceJid: jid })).status).toBe(200);
    const error = await client.waitForCloseError();
    expect(error.output.statusCode).toBe(440);
    expect(error.message).toBe('Stream Errored (conflict)');
    const back = await open(auth);
    expect(back.sock.user?.id).toBe(jid);
  });

  it('restart-required: 515, new login', async () => {
    const phone = '+573100000006';
    const { auth, client, jid } = await link(phone);
    await settle();
    expect((await fault({ kind: 'restart-required', phoneNumber: phone })).status).toBe(200);
    const error = await client.waitForCloseError();
    expect(error.output.statusCode).toBe(515);
    expect(error.message).toBe('Stream Errored (restart required)');
    const back = await open(auth);
    expect(back.sock.user?.id).toBe(jid);
    expect((await fromContact('+573100000094', phone, 'after restart')).status).toBe(201);
    await back.waitForText('after restart');
  });

  it('forbidden: 403 until cleared', async () => {
    const { auth, client, jid } = await link('+573100000007');
    await settle();
    expect(await fault({ kind: 'forbidden', deviceJid: jid })).toEqual({
      status: 200,
      body: { kind: 'forbidden', applied: true, connections: 1, devices: [jid] },
    });
    expect(await client.waitForClose()).toBe(428);
    const refused = connect(wa, sim.wsUrl, auth);
    clients.push(refused);
    const error = await refused.waitForCloseError();
    expect(error.output.statusCode).toBe(403);
    expect(error.message).toBe('Connection Failure');

    const cleared = await api(sim.controlUrl, 'POST', '/control/faults/clear', { deviceJid: jid });
    expect(cleared).toEqual({ status: 200, body: { cleared: ['forbidden'] } });
    await open(auth);
  });

  it('logout: 401, login refused', async () => {
    const phone = '+573100000008';
    const { auth, client, jid } = await link(phone);
    await settle();
    expect((await fault({ kind: 'logout', deviceJid: jid })).body).toMatchObject({ kind: 'logout', applied: true, devices: [jid] });
    const error = await client.waitForCloseError();
    expect(error.output.statusCode).toBe(401);
    expect(error.message).toBe('Stream Errored (conflict)');

    const refused = connect(wa, sim.wsUrl, auth);
    clients.push(refused);
    const again = await refused.waitForCloseError();
    expect(again.output.statusCode).toBe(401);
    expect(again.message).toBe('Connection Failure');
    expect((await fromContact('+573100000095', phone, 'anyone?')).body.code).toBe('ACCOUNT_NOT_LINKED');
  });

  it('silence: no offline marker once', async () => {
    const { auth, client, jid } = await link('+573100000009');
    await settle();
    expect((await fault({ kind: 'silence', deviceJid: jid })).status).toBe(200);
    expect(await client.waitForClose()).toBe(428);

    const silent = await open(auth);
    // rc14 waits for the marker forever; 1.5 s is far beyond the usual few milliseconds.
    await new Promise(resolve => setTimeout(resolve, 1_500));
    expect(silent.events.some(e => e.event === 'connection.update' && e.data.receivedPendingNotifications === true)).toBe(false);
    await silent.end();

    const normal = connect(wa, sim.wsUrl, auth);
    clients.push(normal);
    await normal.waitFor('connection.update', d => d.receivedPendingNotifications === true, 10_000, 'offline marker');
    await normal.waitFor('connection.update', d => d.connection === 'open', 10_000, 'open');
  });

  it('restrict: 463 for new contacts', async () => {
    const phone = '+573100000010';
    const known = '+573100000096';
    const stranger = '573100000097';
    const { client, jid } = await link(phone);
    await fromContact(known, phone, 'hola, tienen stock?');
    await client.waitForText('hola, tienen stock?');
    expect((await fault({ kind: 'restrict', deviceJid: jid })).status).toBe(200);

    const refused = await client.sock.sendMessage(`${stranger}@s.whatsapp.net`, { text: 'oferta' });
    // handleBadAck emits messages.update {status: ERROR}; within the event buffer's window it is
    // merged into the append upsert of the sent message instead, so accept either form.
    const failed = await eventually(async () => {
      for (const { event, data } of client.events) {
        const found =
          event === 'messages.update'
            ? data.find((u: any) => u.key.id === refused!.key.id && u.update.messageStubParameters)?.update
            : event === 'messages.upsert'
              ? data.messages.find((m: any) => m.key.id === refused!.key.id && m.messageStubParameters)
              : undefined;
        if (found) return found;
      }
      return undefined;
    }, 10_000, '463 failure of the sent message');
    expect(failed.messageStubParameters).toEqual(['463', 'Your account has been restricted']);
    expect([0, 'ERROR']).toContain(failed.status);
    const answered = await client.sock.sendMessage(`${known.slice(1)}@s.whatsapp.net`, { text: 'sí, tenemos' });
    await eventually(async () => {
      const inbox = await api<any[]>(sim.controlUrl, 'GET', `/control/inbox/${known}`);
      return inbox.body.find(item => item.waMessageId === answered!.key.id);
    }, 10_000, 'reply to known contact');
    const strangerInbox = await api<any[]>(sim.controlUrl, 'GET', `/control/inbox/${stranger}`);
    expect(strangerInbox.body).toEqual([]);

    expect((await api(sim.controlUrl, 'POST', '/control/faults/clear', { phoneNumber: phone })).body).toEqual({ cleared: ['restrict'] });
    const later = await client.sock.sendMessage(`${stranger}@s.whatsapp.net`, { text: 'oferta otra vez' });
    await eventually(async () => {
      const inbox = await api<any[]>(sim.controlUrl, 'GET', `/control/inbox/${stranger}`);
      return inbox.body.find(item => item.waMessageId === later!.key.id);
    }, 10_000, 'delivery after clear');
  });

  it('refresh-qr-refs: old QR fails', async () => {
    const pairing = connect(wa, sim.wsUrl, memoryAuth(wa), 2_000);
    clients.push(pairing);
    const qr = await pairing.waitFor('connection.update', d => !!d.qr, 10_000, 'qr').then(d => d.qr as string);
    expect(await fault({ kind: 'refresh-qr-refs', qr })).toEqual({
      status: 200,
      body: { kind: 'refresh-qr-refs', applied: true, connections: 1, devices: [] },
    });
    const scan = await api(sim.controlUrl, 'POST', '/control/scan', { qr, phoneNumber: '+573100000011' });
    expect(scan.status).toBe(409);
    expect(scan.body.code).toBe('PAIRING_FAILED');
    await settle();
    expect(pairing.events.some(e => e.event === 'creds.update' && e.data.me)).toBe(false);
    expect(pairing.closed).toBe(false);
    expect((await fault({ kind: 'refresh-qr-refs', deviceJid: '573100000011:1@s.whatsapp.net' })).body.code).toBe('INVALID_TARGET');
  });
});
