import { startSimulator, type WhatsAppSimulator } from '../src';
import { api, linkAndLogin, loadBaileys, memoryAuth, type Baileys, type TestClient } from './helpers';

const PHONE = '+573300000001';
const ALICE = '+573300000002';
const BOB = '+573300000003';

describe('history sync with real Baileys', () => {
  let wa: Baileys;
  let sim: WhatsAppSimulator;
  let client: TestClient;

  beforeAll(async () => {
    wa = await loadBaileys();
    sim = await startSimulator({});
    wa.WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(sim.rootPublicKey);
    // With history sync on, Baileys waits (up to 20 s) for the phone's first history notification.
    ({ client } = await linkAndLogin(wa, sim, memoryAuth(wa), PHONE, 'Charla Test', { shouldSyncHistoryMessage: () => true }));
    await client.waitFor('connection.update', d => d.receivedPendingNotifications === true, 10_000, 'offline marker');
  });

  afterAll(async () => {
    await new Promise(resolve => setTimeout(resolve, 300));
    await client?.end();
    await sim?.close();
  });

  it('inline bootstrap reaches Baileys', async () => {
    const sent = await api(sim.controlUrl, 'POST', '/control/history', {
      phoneNumber: PHONE,
      contacts: [
        {
          phoneNumber: ALICE,
          name: 'Alice',
          messages: [
            { fromMe: false, content: 'hola, ¿tienen envíos?', timestamp: 1_700_000_000 },
            { fromMe: true, content: 'sí, a todo el país', timestamp: '2023-11-14T22:14:00Z' },
          ],
        },
        { phoneNumber: BOB, name: 'Bob', messages: [{ fromMe: false, content: 'gracias', timestamp: 1_700_000_500 }] },
      ],
    });
    expect(sent).toEqual({ status: 201, body: { phoneNumber: PHONE, conversations: 2, messages: 3 } });

    const history = await client.waitFor('messaging-history.set', d => d.messages.length > 0, 15_000, 'history set');
    expect(history.syncType).toBe(wa.proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP);
    expect(history.chats.map((c: any) => c.id).sort()).toEqual(['573300000002@s.whatsapp.net', '573300000003@s.whatsapp.net']);
    const texts = history.messages.map((m: any) => [m.key.remoteJid, m.key.fromMe, m.message.conversation]);
    expect(texts).toEqual(
      expect.arrayContaining([
        ['573300000002@s.whatsapp.net', false, 'hola, ¿tienen envíos?'],
        ['573300000002@s.whatsapp.net', true, 'sí, a todo el país'],
        ['573300000003@s.whatsapp.net', false, 'gracias'],
      ]),
    );
    expect(history.contacts).toEqual(expect.arrayContaining([expect.objectContaining({ id: '573300000002@s.whatsapp.net', name: 'Alice', lid: expect.stringMatching(/@lid$/) })]));

    // The history's contacts are on WhatsApp now, and their messages can be quoted.
    expect(await client.sock.onWhatsApp(BOB)).toEqual([{ jid: '573300000003@s.whatsapp.net', exists: true }]);
    const bobMessage = history.messages.find((m: any) => m.message.conversation === 'gracias');
    const reply = await api(sim.controlUrl, 'POST', '/control/messages', { from: BOB, to: PHONE, content: 'otra cosa', replyTo: bobMessage.key.id });
    expect(reply.status).toBe(201);

    const bad = await api(sim.controlUrl, 'POST', '/control/history', { phoneNumber: PHONE, contacts: [] });
    expect(bad).toMatchObject({ status: 400, body: { code: 'INVALID_HISTORY' } });
  });
});
