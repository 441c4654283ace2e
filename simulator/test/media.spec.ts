import { createHash, randomBytes } from 'node:crypto';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { startSimulator, type WhatsAppSimulator } from '../src';
import { api, eventually, linkAndLogin, loadBaileys, memoryAuth, type Baileys, type TestClient } from './helpers';

const PHONE = '+573100000071';
const CONTACT = '+573100000072';
const CONTACT_JID = '573100000072@s.whatsapp.net';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * An undici dispatcher for Node's built-in fetch that trusts the simulator's test CA, which is how
 * Baileys' downloads reach the media host. Node 20 does not export undici, so the Agent class comes
 * from the global dispatcher that a first fetch creates, read from fetch's own realm (jest runs tests
 * in another one).
 */
async function trustingDispatcher(caPem: string): Promise<{ close(): Promise<void> }> {
  await fetch('data:,').catch(() => undefined);
  const realmGlobal = (fetch.constructor as FunctionConstructor)('return globalThis')() as Record<symbol, { constructor: new (options: object) => { close(): Promise<void> } }>;
  return new realmGlobal[Symbol.for('undici.globalDispatcher.1')].constructor({ connect: { ca: caPem } });
}

describe('media through the loopback media host', () => {
  let wa: Baileys;
  let sim: WhatsAppSimulator;
  let client: TestClient;
  let dispatcher: { close(): Promise<void> };

  beforeAll(async () => {
    wa = await loadBaileys();
    sim = await startSimulator({});
    wa.WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(sim.rootPublicKey);
    ({ client } = await linkAndLogin(wa, sim, memoryAuth(wa), PHONE, 'Charla Test', { fetchAgent: new HttpsAgent({ ca: sim.mediaCaPem }) }));
    await client.waitFor('connection.update', d => d.receivedPendingNotifications === true, 10_000, 'offline marker');
    dispatcher = await trustingDispatcher(sim.mediaCaPem);
  });

  afterAll(async () => {
    await new Promise(resolve => setTimeout(resolve, 300));
    await client?.end();
    await dispatcher?.close();
    await sim?.close();
  });

  const inbound = async (body: Record<string, unknown>) => {
    const sent = await api(sim.controlUrl, 'POST', '/control/messages', { from: CONTACT, to: PHONE, ...body });
    expect(sent.status).toBe(201);
    const id = sent.body.waMessageId as string;
    const upsert = await client.waitFor('messages.upsert', d => d.messages.some((m: any) => m.key.id === id), 10_000, `upsert of ${body.type}`);
    return upsert.messages.find((m: any) => m.key.id === id);
  };

  const download = (message: any) => wa.downloadMediaMessage(message, 'buffer', { options: { dispatcher } as never }) as Promise<Buffer>;

  /**
   * Downloads, and on 404 asks the phone for a re-upload once. rc14's downloadMediaMessage would do
   * this itself, but it looks for `error.status` while its Boom errors carry `output.statusCode`.
   * updateMediaMessage builds the new URL from the host of the socket's last `media_conn`
   * (mmg.whatsapp.net before any), so that is fetched first.
   */
  const downloadWithReupload = async (message: any) => {
    try {
      return await download(message);
    } catch (error) {
      if ((error as { output?: { statusCode?: number } }).output?.statusCode !== 404) throw error;
      await client.sock.refreshMediaConn(false);
      return download(await client.sock.updateMediaMessage(message));
    }
  };

  it.each([
    ['image', { mimeType: 'image/jpeg', caption: 'la foto' }, 'imageMessage'],
    ['video', { mimeType: 'video/mp4', caption: 'el video' }, 'videoMessage'],
    ['audio', { mimeType: 'audio/ogg; codecs=opus', ptt: true }, 'audioMessage'],
    ['document', { mimeType: 'application/pdf', fileName: 'factura.pdf', caption: 'la factura' }, 'documentMessage'],
    ['sticker', { mimeType: 'image/webp' }, 'stickerMessage'],
  ])('a contact %s decrypts with Baileys to the same bytes', async (type, extra, field) => {
    const data = randomBytes(3000 + Math.floor(Math.random() * 100));
    const message = await inbound({ type, data: data.toString('base64'), ...extra });
    const media = message.message[field];
    expect(media).toMatchObject({ mimetype: extra.mimeType, fileLength: expect.anything() });
    if ('caption' in extra) expect(media.caption).toBe(extra.caption);
    if ('ptt' in extra) expect(media.ptt).toBe(true);
    if ('fileName' in extra) expect(media.fileName).toBe(extra.fileName);
    expect(sha256(await download(message))).toBe(sha256(data));
  });

  it('sends a generated sample when data is absent', async () => {
    const message = await inbound({ type: 'image' });
    const bytes = await download(message);
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('re-uploads an expired file once the device asks', async () => {
    const data = randomBytes(2048);
    const message = await inbound({ type: 'image', mimeType: 'image/png', data: data.toString('base64'), expired: 'reupload' });
    await expect(download(message)).rejects.toMatchObject({ output: { statusCode: 404 } });
    expect(sha256(await downloadWithReupload(message))).toBe(sha256(data));
  });

  it('fails the re-upload when the phone lost the file', async () => {
    const message = await inbound({ type: 'document', mimeType: 'application/pdf', data: randomBytes(512).toString('base64'), expired: 'gone' });
    await expect(downloadWithReupload(message)).rejects.toMatchObject({ message: expect.stringContaining('NOT_FOUND'), output: { statusCode: 404 } });
  });

  it.each([
    ['image', (data: Buffer) => ({ image: data, caption: 'foto', mimetype: 'image/png' }), { content: 'foto', media: { mimeType: 'image/png' } }],
    ['video', (data: Buffer) => ({ video: data, caption: 'video', mimetype: 'video/mp4' }), { content: 'video', media: { mimeType: 'video/mp4' } }],
    ['audio', (data: Buffer) => ({ audio: data, ptt: true, mimetype: 'audio/ogg; codecs=opus', seconds: 2 }), { media: { ptt: true } }],
    ['document', (data: Buffer) => ({ document: data, fileName: 'lista.pdf', mimetype: 'application/pdf' }), { media: { fileName: 'lista.pdf' } }],
    ['sticker', (data: Buffer) => ({ sticker: data, mimetype: 'image/webp' }), { media: { mimeType: 'image/webp' } }],
  ])('a device %s reaches the contact with the same bytes', async (type, content, expected) => {
    const data = randomBytes(4000);
    const sent = await client.sock.sendMessage(CONTACT_JID, content(data) as never);
    const id = sent!.key.id!;
    const item = await eventually(async () => {
      const res = await api<any[]>(sim.controlUrl, 'GET', `/control/inbox/${encodeURIComponent(CONTACT)}`);
      return res.body.find(entry => entry.waMessageId === id);
    }, 15_000, 'inbox entry');
    expect(item).toMatchObject({ type, ...expected, media: { ...expected.media, size: data.length, sha256: sha256(data) } });
    expect(item.media.error).toBeUndefined();

    const file = await fetch(`${sim.controlUrl}/control/media/${id}`);
    expect(file.status).toBe(200);
    expect(sha256(Buffer.from(await file.arrayBuffer()))).toBe(sha256(data));
  });

  it('refuses uploads without the media_conn token', async () => {
    const agent = new HttpsAgent({ ca: sim.mediaCaPem });
    const host = (await client.sock.refreshMediaConn(false)).hosts[0].hostname;
    expect(new URL(`https://${host}`).hostname).toBe('127.0.0.1');
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest(`https://${host}/mms/image/abc?auth=wrong`, { method: 'POST', agent }, res => resolve(res.statusCode ?? 0));
      req.on('error', reject);
      req.end('x');
    });
    expect(status).toBe(401);
    agent.destroy();
  });
});
