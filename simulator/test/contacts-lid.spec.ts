import { startSimulator, type WhatsAppSimulator } from '../src';
import { api, eventually, linkAndLogin, loadBaileys, memoryAuth, type Baileys, type TestClient } from './helpers';

const PHONE = '+573200000001';
const KNOWN = '+573200000002';
const HIDDEN = '+573200000003';
const KNOWN_LID = '210000000000002';
const HIDDEN_LID = '210000000000003';

describe('virtual contacts, onWhatsApp, LID addressing and read receipts', () => {
  let wa: Baileys;
  let sim: WhatsAppSimulator;
  let client: TestClient;

  beforeAll(async () => {
    wa = await loadBaileys();
    sim = await startSimulator({});
    wa.WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(sim.rootPublicKey);
    ({ client } = await linkAndLogin(wa, sim, memoryAuth(wa), PHONE));
    await client.waitFor('connection.update', d => d.receivedPendingNotifications === true, 10_000, 'offline marker');
  });

  afterAll(async () => {
    await new Promise(resolve => setTimeout(resolve, 300));
    await client?.end();
    await sim?.close();
  });

  const upsertOf = async (from: string, body: Record<string, unknown>) => {
    const sent = await api(sim.controlUrl, 'POST', '/control/messages', { from, to: PHONE, ...body });
    expect(sent.status).toBe(201);
    const id = sent.body.waMessageId as string;
    const upsert = await client.waitFor('messages.upsert', d => d.messages.some((m: any) => m.key.id === id), 10_000, 'upsert');
    return upsert.messages.find((m: any) => m.key.id === id);
  };

  it('contacts and onWhatsApp', async () => {
    expect(await client.sock.onWhatsApp(KNOWN)).toEqual([]);

    const created = await api(sim.controlUrl, 'POST', '/control/contacts', { phoneNumber: KNOWN, name: 'Known', lid: KNOWN_LID });
    expect(created).toEqual({ status: 201, body: { phoneNumber: KNOWN, name: 'Known', lid: KNOWN_LID } });
    const random = await api(sim.controlUrl, 'POST', '/control/contacts', { phoneNumber: HIDDEN, name: 'Hidden' });
    expect(random.body.lid).toMatch(/^\d{15}$/);
    const updated = await api(sim.controlUrl, 'POST', '/control/contacts', { phoneNumber: HIDDEN, name: 'Hidden', lid: `${HIDDEN_LID}@lid` });
    expect(updated.body).toEqual({ phoneNumber: HIDDEN, name: 'Hidden', lid: HIDDEN_LID });

    const taken = await api(sim.controlUrl, 'POST', '/control/contacts', { phoneNumber: '+573200000004', name: 'Copy', lid: KNOWN_LID });
    expect(taken).toMatchObject({ status: 409, body: { code: 'LID_IN_USE' } });
    const badLid = await api(sim.controlUrl, 'POST', '/control/contacts', { phoneNumber: '+573200000004', name: 'Copy', lid: 'abc' });
    expect(badLid).toMatchObject({ status: 400, body: { code: 'INVALID_LID' } });

    expect(await client.sock.onWhatsApp(KNOWN, '+573200000099')).toEqual([{ jid: '573200000002@s.whatsapp.net', exists: true }]);
    // The account itself is on WhatsApp too.
    expect(await client.sock.onWhatsApp(PHONE)).toEqual([{ jid: '573200000001@s.whatsapp.net', exists: true }]);
  });

  it('addressing pn, lid and lid-without-pn', async () => {
    const pn = await upsertOf(KNOWN, { content: 'by number' });
    expect(pn.key).toMatchObject({ remoteJid: '573200000002@s.whatsapp.net', remoteJidAlt: `${KNOWN_LID}@lid`, addressingMode: 'pn' });

    const lid = await upsertOf(KNOWN, { content: 'by lid', addressing: 'lid' });
    expect(lid.key).toMatchObject({ remoteJid: `${KNOWN_LID}@lid`, remoteJidAlt: '573200000002@s.whatsapp.net', addressingMode: 'lid' });
    expect(lid.message.conversation).toBe('by lid');

    const hidden = await upsertOf(HIDDEN, { content: 'no number', addressing: 'lid-without-pn' });
    expect(hidden.key).toMatchObject({ remoteJid: `${HIDDEN_LID}@lid`, addressingMode: 'lid' });
    expect(hidden.key.remoteJidAlt).toBeUndefined();
    expect(hidden.message.conversation).toBe('no number');

    const bad = await api(sim.controlUrl, 'POST', '/control/messages', { from: KNOWN, to: PHONE, content: 'x', addressing: 'email' });
    expect(bad).toMatchObject({ status: 400, body: { code: 'INVALID_REQUEST' } });
  });

  it('read receipts give status 4', async () => {
    const jid = '573200000002@s.whatsapp.net';
    const first = await client.sock.sendMessage(jid, { text: 'one' });
    const second = await client.sock.sendMessage(jid, { location: { degreesLatitude: 1, degreesLongitude: 2 } });
    const ids = [first!.key.id!, second!.key.id!];
    await eventually(async () => {
      const res = await api<any[]>(sim.controlUrl, 'GET', `/control/inbox/${encodeURIComponent(KNOWN)}`);
      return ids.every(id => res.body.some(item => item.waMessageId === id)) ? true : undefined;
    }, 10_000, 'both in inbox');
    const read = await api(sim.controlUrl, 'POST', '/control/read', { phoneNumber: KNOWN });
    expect(read.body.read).toBeGreaterThanOrEqual(2);
    const readReceipts = () => client.received.filter(f => f.tag === 'receipt' && f.attrs.type === 'read' && ids.includes(f.attrs.id));
    for (const id of ids) {
      await client.waitFor('messages.update', d => d.some((u: any) => u.key.id === id && u.update.status === 4), 10_000, `read ${id}`);
    }
    expect(readReceipts().map(f => f.attrs.id).sort()).toEqual([...ids].sort());
  });
});
