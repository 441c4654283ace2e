import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type WhatsAppSimulator } from '../src';
import { api, connect, eventually, loadBaileys, memoryAuth, type Baileys, type MemoryAuth, type TestClient } from './helpers';

const PHONE = '+573000000001';
const PHONE_JID_USER = '573000000001';
const CONTACT = '+573000000002';
const CONTACT_JID = '573000000002@s.whatsapp.net';

// One linked account walks through the whole lifecycle. Each step builds on the previous one.
describe('simulator end to end with real Baileys', () => {
  let wa: Baileys;
  let stateDir: string;
  let sim: WhatsAppSimulator;
  let auth: MemoryAuth;
  let client: TestClient | undefined;
  const clients: TestClient[] = [];

  const open = (qrTimeout?: number) => {
    const c = connect(wa, sim.wsUrl, auth, qrTimeout);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    wa = await loadBaileys();
    stateDir = mkdtempSync(join(tmpdir(), 'charla-sim-'));
    sim = await startSimulator({ stateDir });
    wa.WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(sim.rootPublicKey);
    auth = memoryAuth(wa);
  });

  afterAll(async () => {
    for (const c of clients) await c.end();
    await sim?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('QR scan links and opens', async () => {
    const pairing = open(700);
    await pairing.waitFor('connection.update', () => pairing.qrs().length >= 2, 10_000, 'second qr');
    const [first, second] = pairing.qrs();
    expect(first).toMatch(/^https:\/\/wa\.me\/settings\/linked_devices#2@/);
    expect(second).not.toEqual(first);
    // Same companion keys, new ref.
    expect(second.split(',').slice(1)).toEqual(first.split(',').slice(1));

    const latest = pairing.qrs().at(-1)!;
    const scan = await api(sim.controlUrl, 'POST', '/control/scan', { qr: latest, phoneNumber: PHONE, pushName: 'Charla Shop' });
    expect(scan.status).toBe(200);
    expect(scan.body).toEqual({ phoneNumber: PHONE, jid: expect.stringMatching(/^573000000001:\d+@s\.whatsapp\.net$/), lid: expect.stringMatching(/^\d+:\d+@lid$/) });

    const creds = await pairing.waitFor('creds.update', d => !!d.me, 5_000, 'creds.update with me');
    expect(creds.me).toEqual({ id: scan.body.jid, lid: scan.body.lid, name: 'Charla Shop' });
    expect(await pairing.waitForClose()).toBe(515);

    client = open();
    await client.waitFor('connection.update', d => d.connection === 'open', 10_000, 'open');
    await client.waitFor('connection.update', d => d.receivedPendingNotifications === true, 10_000, 'offline marker');
    expect(client.qrs()).toHaveLength(0);
    expect(client.sock.user?.id).toBe(scan.body.jid);
  });

  it('contact message reaches device', async () => {
    const sent = await api(sim.controlUrl, 'POST', '/control/messages', { from: CONTACT, to: PHONE, content: 'Hola!', pushName: 'Alice' });
    expect(sent.status).toBe(201);
    const msg = await client!.waitForText('Hola!');
    expect(msg.key).toMatchObject({ remoteJid: CONTACT_JID, fromMe: false, id: sent.body.waMessageId });
    expect(msg.pushName).toBe('Alice');
  });

  it('outbound text reaches inbox', async () => {
    const sent = await client!.sock.sendMessage(CONTACT_JID, { text: 'Hola Alice, ¿en qué te ayudo?' });
    const id = sent!.key.id!;
    const inbox = await eventually(async () => {
      const res = await api<any[]>(sim.controlUrl, 'GET', `/control/inbox/${encodeURIComponent(CONTACT)}`);
      return res.body.find(item => item.waMessageId === id);
    }, 10_000, 'inbox item');
    expect(inbox).toMatchObject({ from: PHONE, to: CONTACT, type: 'text', content: 'Hola Alice, ¿en qué te ayudo?', status: 'delivered' });
    expect(new Date(inbox.timestamp).toString()).not.toBe('Invalid Date');

    // A fast receipt may be merged into the append upsert instead of a separate update.
    await Promise.race([
      client!.waitFor('messages.update', d => d.some((u: any) => u.key.id === id && u.update.status >= 3), 10_000, 'delivery update'),
      client!.waitFor('messages.upsert', d => d.messages.some((m: any) => m.key.id === id && m.status >= 3), 10_000, 'delivered upsert'),
    ]);
  });

  it('session refresh and read receipts', async () => {
    const sent = await api(sim.controlUrl, 'POST', '/control/messages', { from: CONTACT, to: PHONE, content: 'Gracias' });
    expect(sent.status).toBe(201);
    await client!.waitForText('Gracias');

    const out = await client!.sock.sendMessage(CONTACT_JID, { text: 'Con gusto' });
    await eventually(async () => {
      const res = await api<any[]>(sim.controlUrl, 'GET', `/control/inbox/${CONTACT}`);
      return res.body.find(item => item.waMessageId === out!.key.id);
    }, 10_000, 'second inbox item');

    const read = await api(sim.controlUrl, 'POST', '/control/read', { phoneNumber: CONTACT });
    expect(read.status).toBe(200);
    expect(read.body.read).toBe(2);
    const inbox = await api<any[]>(sim.controlUrl, 'GET', `/control/inbox/${CONTACT}`);
    expect(inbox.body.every(item => item.status === 'read')).toBe(true);
    await client!.waitFor('messages.update', d => d.some((u: any) => u.key.id === out!.key.id && u.update.status === 4), 10_000, 'read update');
  });

  it('second login replaces first (440)', async () => {
    const older = client!;
    client = open();
    expect(await older.waitForClose()).toBe(440);
    await client.waitFor('connection.update', d => d.connection === 'open', 10_000, 'open after conflict');
    const sent = await api(sim.controlUrl, 'POST', '/control/messages', { from: CONTACT, to: PHONE, content: 'after conflict' });
    expect(sent.status).toBe(201);
    await client.waitForText('after conflict');
  });

  it('link survives simulator restart', async () => {
    await client!.end();
    const rootBefore = Buffer.from(sim.rootPublicKey);
    await sim.close();
    sim = await startSimulator({ stateDir });
    expect(Buffer.from(sim.rootPublicKey)).toEqual(rootBefore);

    client = open();
    await client.waitFor('connection.update', d => d.connection === 'open', 10_000, 'open after restart');
    expect(client.qrs()).toHaveLength(0);

    const sent = await api(sim.controlUrl, 'POST', '/control/messages', { from: CONTACT, to: PHONE, content: 'sigo aquí', pushName: 'Alice' });
    expect(sent.status).toBe(201);
    await client.waitForText('sigo aquí');

    const out = await client.sock.sendMessage(CONTACT_JID, { text: 'perfecto' });
    const item = await eventually(async () => {
      const res = await api<any[]>(sim.controlUrl, 'GET', `/control/inbox/${CONTACT}`);
      return res.body.find(i => i.waMessageId === out!.key.id);
    }, 10_000, 'inbox item after restart');
    expect(item.content).toBe('perfecto');
    // The inbox from before the restart is still there.
    const inbox = await api<any[]>(sim.controlUrl, 'GET', `/control/inbox/${CONTACT}`);
    expect(inbox.body.length).toBeGreaterThanOrEqual(3);
  });

  it('offline backlog delivered on login', async () => {
    await client!.end();
    const first = await api(sim.controlUrl, 'POST', '/control/messages', { from: CONTACT, to: PHONE, content: 'mientras no estabas 1' });
    const second = await api(sim.controlUrl, 'POST', '/control/messages', { from: '+573000000003', to: PHONE, content: 'mientras no estabas 2', pushName: 'Bob' });
    expect([first.status, second.status]).toEqual([201, 201]);

    client = open();
    const marker = client.waitFor('connection.update', d => d.receivedPendingNotifications === true, 10_000, 'offline marker');
    const [m1, m2] = await Promise.all([client.waitForText('mientras no estabas 1'), client.waitForText('mientras no estabas 2')]);
    await marker;
    // `open` comes after the digest query; ending before it leaves Baileys waiting on that query.
    await client.waitFor('connection.update', d => d.connection === 'open', 10_000, 'open');
    expect(m1.key.id).toBe(first.body.waMessageId);
    expect(m2.key.remoteJid).toBe('573000000003@s.whatsapp.net');
    expect(m2.pushName).toBe('Bob');
  });

  it('logout removes the device', async () => {
    // Let the queries Baileys fires right after `open` finish: ending a socket with queries in
    // flight leaves their timers running until defaultQueryTimeoutMs.
    await new Promise(resolve => setTimeout(resolve, 300));
    await client!.sock.logout();
    expect(await client!.waitForClose()).toBe(401);

    const sent = await api(sim.controlUrl, 'POST', '/control/messages', { from: CONTACT, to: PHONE, content: 'hola?' });
    expect(sent.status).toBe(404);
    expect(sent.body.code).toBe('ACCOUNT_NOT_LINKED');

    client = open();
    expect(await client.waitForClose()).toBe(401);
  });
});

