import { createHash, createHmac, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import request from 'supertest';
import type { RunningServer } from '../../src/bootstrap';
import { linkNewSession } from '../setup/flows';
import { startTestSimulator } from '../setup/simulator';
import { createTestEnvironment, eventually, FeedClient, login, startTestServer, TestEnvironment } from '../setup/test-app';
import { withClient } from '../setup/test-database';

const ENCRYPTION_KEY = randomBytes(32).toString('base64');
const MAX_BYTES = 200_000;

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Builds a real PNG of one colour, so Baileys' thumbnail step (sharp) can read it. */
function png(size = 24): Buffer {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (data: Buffer) => {
    let c = 0xffffffff;
    for (const byte of data) c = table[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const colour = randomBytes(3);
  const row = Buffer.concat([Buffer.from([0]), ...Array.from({ length: size }, () => colour)]);
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.concat(Array.from({ length: size }, () => row)))), chunk('IEND', Buffer.alloc(0))]);
}

/** Files of each type: real signatures followed by random bytes, so every run compares new content. */
const FIXTURES = {
  image: () => ({ data: png(), mimeType: 'image/png', name: 'foto.png' }),
  video: () => ({ data: Buffer.concat([Buffer.from('000000186674797069736f6d0000020069736f6d6d703432', 'hex'), randomBytes(3000)]), mimeType: 'video/mp4', name: 'video.mp4' }),
  audio: () => ({ data: Buffer.concat([Buffer.from('OggS'), Buffer.from([0, 2]), randomBytes(2000)]), mimeType: 'audio/ogg; codecs=opus', name: 'nota.ogg' }),
  document: () => ({ data: Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(1500)]), mimeType: 'application/pdf', name: 'cotización 42.pdf' }),
  sticker: () => ({ data: Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x40, 0, 0, 0]), Buffer.from('WEBPVP8L'), randomBytes(300)]), mimeType: 'image/webp', name: 'sticker.webp' }),
};
type MediaType = keyof typeof FIXTURES;

describe('Media messages', () => {
  const BUSINESS = '+573000000081';
  const CUSTOMER = '+573000000082';
  let environment: TestEnvironment;
  let simulator: Awaited<ReturnType<typeof startTestSimulator>>;
  let server: RunningServer;
  let token: string;
  let feed: FeedClient;
  let sessionId: string;
  let tenantId: string;
  const auth = () => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    simulator = await startTestSimulator();
    environment = await createTestEnvironment({
      SIMULATOR_URL: simulator.simulator.controlUrl,
      ENCRYPTION_KEY,
      MEDIA_MAX_BYTES: String(MAX_BYTES),
      OUTBOX_SESSION_GAP_MS: '0',
      OUTBOX_CHAT_GAP_MS: '0',
      OUTBOX_JITTER_MS: '0',
    });
    server = await startTestServer(environment);
    token = await login(server);
    feed = new FeedClient(server.url, token);
    await feed.connected();
    sessionId = await linkNewSession(server, token, feed, BUSINESS);
    // The customer writes first, so the business may reply.
    await request(server.url).post('/api/sandbox/messages').set(auth()).send({ from: CUSTOMER, to: BUSINESS, content: 'Hola' }).expect(201);
  }, 60_000);

  afterAll(async () => {
    feed?.close();
    await server?.close();
    await simulator?.stop();
    await environment?.cleanup();
  });

  async function storedByWaId(waMessageId: string, done: (message: any) => boolean = () => true): Promise<any> {
    return eventually(async () => {
      const messages = await request(server.url).get('/api/messages').query({ range: '[0,499]' }).set(auth()).expect(200);
      const message = messages.body.find((entry: { waMessageId: string }) => entry.waMessageId === waMessageId);
      return message && done(message) ? message : undefined;
    });
  }

  /** Opens a signed media URL the way an <img> tag does: no token. */
  async function openUrl(url: string): Promise<{ status: number; body: Buffer; code?: string; type?: string }> {
    const response = await request(server.url).get(url).buffer(true).parse((res, callback) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => callback(null, Buffer.concat(chunks)));
    });
    const body = response.body as Buffer;
    const code = response.status >= 400 ? JSON.parse(body.toString('utf8')).code : undefined;
    return { status: response.status, body, code, type: response.headers['content-type'] };
  }

  async function customerInbox(): Promise<any[]> {
    const response = await fetch(new URL(`/control/inbox/${encodeURIComponent(CUSTOMER)}`, simulator.simulator.controlUrl));
    return (await response.json()) as any[];
  }

  describe('from a customer', () => {
    it.each(Object.keys(FIXTURES) as MediaType[])('stores a %s with identical bytes', async (type) => {
      const file = FIXTURES[type]();
      const extra = type === 'audio' ? { ptt: true } : type === 'document' ? { fileName: file.name, caption: 'la cotización' } : type === 'sticker' ? {} : { caption: `un ${type}` };
      const sent = await request(server.url)
        .post('/api/sandbox/messages')
        .set(auth())
        .send({ from: CUSTOMER, to: BUSINESS, type, data: file.data.toString('base64'), mimeType: file.mimeType, ...extra })
        .expect(201);

      const stored = await storedByWaId(sent.body.waMessageId, (message) => message.data?.media?.status !== 'pending');
      expect(stored).toMatchObject({ direction: 'in', type, data: { media: { status: 'stored', size: file.data.length, sha256: sha256(file.data), mimeType: file.mimeType } } });
      if (type === 'audio') expect(stored.data.media.ptt).toBe(true);
      if (type === 'document') expect(stored.data.media.fileName).toBe(file.name);
      if ('caption' in extra) expect(stored.content).toBe(extra.caption);

      const opened = await openUrl(stored.data.media.url);
      expect(opened.status).toBe(200);
      expect(sha256(opened.body)).toBe(sha256(file.data));
      await feed.waitFor('message.updated', (payload) => payload.id === stored.id && payload.data?.media?.status === 'stored');
    });

    it('keeps an oversized file out', async () => {
      const data = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(MAX_BYTES + 10)]);
      const sent = await request(server.url)
        .post('/api/sandbox/messages')
        .set(auth())
        .send({ from: CUSTOMER, to: BUSINESS, type: 'document', data: data.toString('base64'), mimeType: 'application/pdf', fileName: 'grande.pdf' })
        .expect(201);
      const stored = await storedByWaId(sent.body.waMessageId, (message) => message.data?.media?.status !== 'pending');
      expect(stored).toMatchObject({ type: 'document', content: 'grande.pdf', data: { media: { status: 'too_large', size: data.length, reason: expect.stringContaining(String(MAX_BYTES)) } } });
      expect(stored.data.media.url).toBeUndefined();
    });

    it('rejects a mistyped received file', async () => {
      const sent = await request(server.url)
        .post('/api/sandbox/messages')
        .set(auth())
        .send({ from: CUSTOMER, to: BUSINESS, type: 'image', data: Buffer.from('MZ this is not an image').toString('base64'), mimeType: 'image/jpeg' })
        .expect(201);
      const stored = await storedByWaId(sent.body.waMessageId, (message) => message.data?.media?.status !== 'pending');
      expect(stored.data.media).toMatchObject({ status: 'rejected', reason: expect.stringContaining('image/jpeg') });
    });

    it('asks the phone again for an expired file', async () => {
      const file = FIXTURES.image();
      const sent = await request(server.url)
        .post('/api/sandbox/messages')
        .set(auth())
        .send({ from: CUSTOMER, to: BUSINESS, type: 'image', data: file.data.toString('base64'), mimeType: 'image/png', expired: 'reupload' })
        .expect(201);
      const stored = await storedByWaId(sent.body.waMessageId, (message) => message.data?.media?.status !== 'pending');
      expect(stored.data.media).toMatchObject({ status: 'stored', sha256: sha256(file.data) });
    });

    it('marks a file expired when the phone lost it too', async () => {
      const file = FIXTURES.document();
      const sent = await request(server.url)
        .post('/api/sandbox/messages')
        .set(auth())
        .send({ from: CUSTOMER, to: BUSINESS, type: 'document', data: file.data.toString('base64'), mimeType: 'application/pdf', expired: 'gone' })
        .expect(201);
      const stored = await storedByWaId(sent.body.waMessageId, (message) => message.data?.media?.status !== 'pending');
      expect(stored).toMatchObject({ type: 'document', data: { media: { status: 'expired', reason: expect.any(String) } } });
    });
  });

  describe('to a customer', () => {
    it.each(Object.keys(FIXTURES) as MediaType[])('sends a %s upload with identical bytes', async (type) => {
      const file = FIXTURES[type]();
      let call = request(server.url).post(`/api/sessions/${sessionId}/messages`).set(auth()).field('to', CUSTOMER).field('type', type);
      if (type === 'audio') call = call.field('ptt', 'true');
      if (type === 'image' || type === 'video' || type === 'document') call = call.field('caption', `mira el ${type}`);
      const sent = await call.attach('file', file.data, { filename: file.name, contentType: file.mimeType });
      expect(sent.status).toBe(201);

      const entry = await eventually(async () => (await customerInbox()).find((item) => item.type === type && item.media?.sha256 === sha256(file.data)), 30_000);
      expect(entry.media).toMatchObject({ size: file.data.length, mimeType: file.mimeType });
      expect(entry.media.error).toBeUndefined();
      if (type === 'audio') expect(entry.media.ptt).toBe(true);
      if (type === 'document') expect(entry.media.fileName).toBe(file.name);
      if (type === 'image') expect(entry.content).toBe('mira el image');
      const received = await fetch(new URL(`/control/media/${entry.waMessageId}`, simulator.simulator.controlUrl));
      expect(sha256(Buffer.from(await received.arrayBuffer()))).toBe(sha256(file.data));

      // The panel shows what was sent from the stored copy.
      const view = (await request(server.url).get(`/api/messages/${sent.body.id}`).set(auth()).expect(200)).body;
      expect(view).toMatchObject({ direction: 'out', type, data: { media: { status: 'stored', sha256: sha256(file.data) } } });
      expect(sha256((await openUrl(view.data.media.url)).body)).toBe(sha256(file.data));
    });

    it('answers in a conversation with a document', async () => {
      const conversations = await request(server.url).get('/api/conversations').set(auth()).expect(200);
      const conversationId = conversations.body[0].id;
      const file = FIXTURES.document();
      const sent = await request(server.url)
        .post(`/api/conversations/${conversationId}/messages`)
        .set(auth())
        .field('type', 'document')
        .field('fileName', 'lista-de-precios.pdf')
        .attach('file', file.data, { filename: 'x.pdf', contentType: 'application/pdf' });
      expect(sent.status).toBe(201);
      const entry = await eventually(async () => (await customerInbox()).find((item) => item.media?.sha256 === sha256(file.data)), 30_000);
      expect(entry.media.fileName).toBe('lista-de-precios.pdf');
    });

    it('refuses a file over MEDIA_MAX_BYTES with 413', async () => {
      const response = await request(server.url)
        .post(`/api/sessions/${sessionId}/messages`)
        .set(auth())
        .field('to', CUSTOMER)
        .field('type', 'document')
        .attach('file', Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(MAX_BYTES)]), { filename: 'big.pdf', contentType: 'application/pdf' });
      expect(response.status).toBe(413);
      expect(response.body).toMatchObject({ code: 'MEDIA_TOO_LARGE', maxBytes: MAX_BYTES });
    });

    it.each([
      ['a text file declared as JPEG', 'image', Buffer.from('hola, esto es texto'), 'image/jpeg', 'MEDIA_TYPE_MISMATCH'],
      ['a PNG sent as audio', 'audio', png(), 'image/png', 'MEDIA_TYPE_MISMATCH'],
      ['a PNG sent as a sticker', 'sticker', png(), 'image/png', 'MEDIA_TYPE_MISMATCH'],
      ['an executable', 'document', Buffer.concat([Buffer.from('MZ'), Buffer.from([0x90, 0, 3, 0, 0, 0])]), 'application/octet-stream', 'MEDIA_TYPE_UNKNOWN'],
      ['a ZIP declared as PDF', 'document', Buffer.concat([Buffer.from('PK\x03\x04'), randomBytes(64)]), 'application/pdf', 'MEDIA_TYPE_MISMATCH'],
    ])('refuses %s with 422', async (_name, type, data, contentType, code) => {
      const response = await request(server.url)
        .post(`/api/sessions/${sessionId}/messages`)
        .set(auth())
        .field('to', CUSTOMER)
        .field('type', type)
        .attach('file', data, { filename: 'archivo', contentType });
      expect(response.status).toBe(422);
      expect(response.body.code).toBe(code);
    });

    it('rejects a media send without file or url, or with both', async () => {
      const none = await request(server.url).post(`/api/sessions/${sessionId}/messages`).set(auth()).send({ to: CUSTOMER, type: 'image' });
      expect(none.status).toBe(400);
      expect(none.body.errors).toEqual([expect.objectContaining({ field: 'file' })]);
      const both = await request(server.url)
        .post(`/api/sessions/${sessionId}/messages`)
        .set(auth())
        .field('to', CUSTOMER)
        .field('type', 'image')
        .field('url', 'https://example.com/a.png')
        .attach('file', png(), { filename: 'a.png', contentType: 'image/png' });
      expect(both.status).toBe(400);
      expect(both.body.errors).toEqual([expect.objectContaining({ field: 'url' })]);
    });

    // Checked before any connection is made, so none of these leaves the machine.
    it.each([
      'http://127.0.0.1/foto.png',
      'http://localhost/foto.png',
      'http://[::1]/foto.png',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/latest/meta-data/',
      'http://10.0.0.7/foto.png',
      'http://172.16.5.4/foto.png',
      'http://192.168.1.10/foto.png',
      'http://100.64.0.1/foto.png',
      'http://0.0.0.0/foto.png',
      'http://2130706433/foto.png',
      'http://0x7f.0.0.1/foto.png',
      'http://[::ffff:127.0.0.1]/foto.png',
      'file:///etc/passwd',
      'ftp://example.com/foto.png',
      'gopher://example.com/foto.png',
      'http://user:secret@example.com/foto.png',
      'javascript:alert(1)',
      'not a url',
    ])('refuses the URL %s', async (url) => {
      const response = await request(server.url).post(`/api/sessions/${sessionId}/messages`).set(auth()).send({ to: CUSTOMER, type: 'image', url });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'URL_NOT_ALLOWED', errors: [expect.objectContaining({ field: 'url' })] });
      expect(JSON.stringify(response.body)).not.toContain('secret');
    });
  });

  describe('signed URLs', () => {
    const signingKey = Buffer.from(hkdfSync('sha256', Buffer.from(ENCRYPTION_KEY, 'base64'), Buffer.alloc(0), 'charla media url signing v1', 32));
    const sign = (tenant: string, mediaId: string, expires: number) => createHmac('sha256', signingKey).update(`${tenant}\n${mediaId}\n${expires}`).digest('base64url');
    let ownMedia: { id: string; url: string };
    let otherTenant: string;
    let otherMediaId: string;
    const otherBytes = png();

    beforeAll(async () => {
      const sent = await request(server.url)
        .post(`/api/sessions/${sessionId}/messages`)
        .set(auth())
        .field('to', CUSTOMER)
        .field('type', 'image')
        .attach('file', png(), { filename: 'a.png', contentType: 'image/png' })
        .expect(201);
      const view = (await request(server.url).get(`/api/messages/${sent.body.id}`).set(auth()).expect(200)).body;
      ownMedia = { id: view.data.media.id, url: view.data.media.url };
      tenantId = (await withClient(environment.database.url, (client) => client.query('select tenant_id from media_files where id = $1', [ownMedia.id]))).rows[0].tenant_id;

      // Another tenant with a file of its own, stored where the local storage keeps it.
      otherTenant = randomUUID();
      otherMediaId = randomUUID();
      await withClient(environment.database.url, async (client) => {
        await client.query("insert into tenants (id, name, created_at, updated_at) values ($1, 'Otra tienda', now(), now())", [otherTenant]);
        await client.query("insert into media_files (id, tenant_id, storage_key, mime_type, size, sha256, file_name) values ($1, $2, $3, 'image/png', $4, $5, null)", [
          otherMediaId,
          otherTenant,
          `${otherTenant}/${otherMediaId}`,
          otherBytes.length,
          sha256(otherBytes),
        ]);
      });
      mkdirSync(join(environment.dataDir, 'media', otherTenant), { recursive: true });
      writeFileSync(join(environment.dataDir, 'media', otherTenant, otherMediaId), otherBytes);
    });

    it('opens the file without a token, and stores it with mode 0600', async () => {
      const opened = await openUrl(ownMedia.url);
      expect(opened).toMatchObject({ status: 200, type: 'image/png' });
      const mode = statSync(join(environment.dataDir, 'media', tenantId, ownMedia.id)).mode & 0o777;
      expect(mode).toBe(0o600);
    });

    it("does not open another tenant's file", async () => {
      const expires = Math.floor(Date.now() / 1000) + 60;
      // Our tenant's signature over the other tenant's media id.
      const crossed = await openUrl(`/api/media/${otherMediaId}?expires=${expires}&signature=${sign(tenantId, otherMediaId, expires)}`);
      expect(crossed).toMatchObject({ status: 403, code: 'MEDIA_SIGNATURE_INVALID' });
      // Our file's signature on the other file's id.
      const query = new URL(ownMedia.url, server.url).search;
      expect(await openUrl(`/api/media/${otherMediaId}${query}`)).toMatchObject({ status: 403, code: 'MEDIA_SIGNATURE_INVALID' });
      // The other tenant's own signature does open it, so the refusals above are about the tenant.
      const own = await openUrl(`/api/media/${otherMediaId}?expires=${expires}&signature=${sign(otherTenant, otherMediaId, expires)}`);
      expect(own.status).toBe(200);
      expect(sha256(own.body)).toBe(sha256(otherBytes));
    });

    it('refuses an expired URL with 410 and a changed expiry with 403', async () => {
      const past = Math.floor(Date.now() / 1000) - 5;
      expect(await openUrl(`/api/media/${ownMedia.id}?expires=${past}&signature=${sign(tenantId, ownMedia.id, past)}`)).toMatchObject({ status: 410, code: 'MEDIA_URL_EXPIRED' });
      const url = new URL(ownMedia.url, server.url);
      url.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 3600));
      expect(await openUrl(url.pathname + url.search)).toMatchObject({ status: 403, code: 'MEDIA_SIGNATURE_INVALID' });
    });

    it('refuses unknown ids and missing parameters', async () => {
      const expires = Math.floor(Date.now() / 1000) + 60;
      const unknown = randomUUID();
      expect(await openUrl(`/api/media/${unknown}?expires=${expires}&signature=${sign(tenantId, unknown, expires)}`)).toMatchObject({ status: 403, code: 'MEDIA_SIGNATURE_INVALID' });
      expect(await openUrl(`/api/media/${ownMedia.id}`)).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    });

    it('serves a byte range for audio and video players', async () => {
      const response = await request(server.url).get(ownMedia.url).set('Range', 'bytes=0-7');
      expect(response.status).toBe(206);
      expect(response.headers['content-range']).toMatch(/^bytes 0-7\/\d+$/);
    });
  });
});

describe('Media from a URL', () => {
  const BUSINESS = '+573000000083';
  const CUSTOMER = '+573000000084';
  let environment: TestEnvironment;
  let simulator: Awaited<ReturnType<typeof startTestSimulator>>;
  let server: RunningServer;
  let token: string;
  let feed: FeedClient;
  let sessionId: string;
  let files: Server;
  let filesUrl: string;
  const photo = png();
  const auth = () => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    // A file server on loopback, reachable because this app sets ALLOW_PRIVATE_NETWORK_URLS.
    files = createServer((req, res) => {
      const path = req.url ?? '/';
      if (path === '/foto.png') return void res.writeHead(200, { 'content-type': 'image/png' }).end(photo);
      if (path === '/same-host-redirect') return void res.writeHead(302, { location: '/foto.png' }).end();
      if (path === '/other-host-redirect') return void res.writeHead(302, { location: `http://localhost:${(files.address() as AddressInfo).port}/foto.png` }).end();
      if (path === '/big.png') return void res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.concat([photo, randomBytes(MAX_BYTES)]));
      if (path === '/fake.png') return void res.writeHead(200, { 'content-type': 'image/png' }).end('<html>not a picture</html>');
      if (path === '/missing.png') return void res.writeHead(404).end();
      if (path === '/slow.png') {
        const timer = setTimeout(() => res.writeHead(200).end(photo), 3000);
        req.on('close', () => clearTimeout(timer));
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
    filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;

    simulator = await startTestSimulator();
    environment = await createTestEnvironment({
      SIMULATOR_URL: simulator.simulator.controlUrl,
      ALLOW_PRIVATE_NETWORK_URLS: 'true',
      MEDIA_MAX_BYTES: String(MAX_BYTES),
      MEDIA_FETCH_TIMEOUT_MS: '1000',
      OUTBOX_SESSION_GAP_MS: '0',
      OUTBOX_CHAT_GAP_MS: '0',
      OUTBOX_JITTER_MS: '0',
    });
    server = await startTestServer(environment);
    token = await login(server);
    feed = new FeedClient(server.url, token);
    await feed.connected();
    sessionId = await linkNewSession(server, token, feed, BUSINESS);
    await request(server.url).post('/api/sandbox/messages').set(auth()).send({ from: CUSTOMER, to: BUSINESS, content: 'Hola' }).expect(201);
  }, 60_000);

  afterAll(async () => {
    feed?.close();
    await server?.close();
    await simulator?.stop();
    await environment?.cleanup();
    await new Promise((resolve) => files?.close(resolve));
  });

  const sendUrl = (url: string) => request(server.url).post(`/api/sessions/${sessionId}/messages`).set(auth()).send({ to: CUSTOMER, type: 'image', url, caption: 'desde una URL' });

  it('fetches the file, follows a same-host redirect and delivers identical bytes', async () => {
    const sent = await sendUrl(`${filesUrl}/same-host-redirect`);
    expect(sent.status).toBe(201);
    const entry = await eventually(async () => {
      const inbox = (await (await fetch(new URL(`/control/inbox/${encodeURIComponent(CUSTOMER)}`, simulator.simulator.controlUrl))).json()) as any[];
      return inbox.find((item) => item.waMessageId === sent.body.waMessageId || item.media?.sha256 === sha256(photo));
    }, 30_000);
    expect(entry).toMatchObject({ type: 'image', content: 'desde una URL', media: { sha256: sha256(photo), size: photo.length } });
  });

  it.each([
    ['a redirect to another host', '/other-host-redirect', 400, 'URL_NOT_ALLOWED'],
    ['a file over the limit', '/big.png', 422, 'URL_RESPONSE_TOO_LARGE'],
    ['content that is not the declared type', '/fake.png', 422, 'MEDIA_TYPE_MISMATCH'],
    ['a 404', '/missing.png', 422, 'URL_FAILED'],
    ['a server slower than MEDIA_FETCH_TIMEOUT_MS', '/slow.png', 422, 'URL_TIMEOUT'],
  ])('refuses %s', async (_name, path, status, code) => {
    const response = await sendUrl(`${filesUrl}${path}`);
    expect(response.status).toBe(status);
    expect(response.body.code).toBe(code);
  });
});
