import { S3Client } from '@aws-sdk/client-s3';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalMediaStorage, mediaKey, S3MediaStorage } from './media-storage';

describe('mediaKey', () => {
  it('accepts only UUIDs, so no key can leave the media folder', () => {
    const tenant = randomUUID();
    const media = randomUUID();
    expect(mediaKey(tenant, media)).toBe(`${tenant}/${media}`);
    expect(() => mediaKey(tenant, '../../etc/passwd')).toThrow('must be UUIDs');
    expect(() => mediaKey('..', media)).toThrow('must be UUIDs');
  });
});

describe(LocalMediaStorage.name, () => {
  let root: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'charla-media-'));
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writes files 0600 in folders 0700 and reads them back', async () => {
    const sut = new LocalMediaStorage(root);
    const tenant = randomUUID();
    const key = mediaKey(tenant, randomUUID());
    const bytes = randomBytes(1000);
    await sut.put(key, bytes);
    expect(await sut.get(key)).toEqual(bytes);
    expect(statSync(join(root, key)).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, tenant)).mode & 0o777).toBe(0o700);
    await sut.delete(key);
    expect(await sut.get(key)).toBeUndefined();
  });

  it('rejects a key that is not tenant/media ids', async () => {
    await expect(new LocalMediaStorage(root).get('../secrets.json')).rejects.toThrow('Invalid media key');
  });
});

/**
 * Starts a tiny S3 stand-in on 127.0.0.1 that speaks path-style PutObject, GetObject and DeleteObject, enough
 * to check that the driver builds the right requests with the SDK. Not a full S3 emulation.
 */
function startFakeS3(): Promise<{ server: Server; endpoint: string; objects: Map<string, { body: Buffer; type?: string }>; requests: string[] }> {
  const objects = new Map<string, { body: Buffer; type?: string }>();
  const requests: string[] = [];
  const read = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    requests.push(`${req.method} ${path} ${req.headers.authorization?.startsWith('AWS4-HMAC-SHA256') ? 'signed' : 'unsigned'}`);
    if (req.method === 'PUT') {
      objects.set(path, { body: await read(req), type: req.headers['content-type'] });
      res.writeHead(200, { etag: '"1"' }).end();
      return;
    }
    const object = objects.get(path);
    if (req.method === 'GET' && object) {
      res.writeHead(200, { 'content-type': object.type ?? 'application/octet-stream', 'content-length': object.body.length }).end(object.body);
      return;
    }
    if (req.method === 'DELETE') {
      objects.delete(path);
      res.writeHead(204).end();
      return;
    }
    res.writeHead(404, { 'content-type': 'application/xml' }).end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>');
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, objects, requests })),
  );
}

describe(S3MediaStorage.name, () => {
  it('puts, gets and deletes objects under the bucket with signed requests', async () => {
    const fake = await startFakeS3();
    const client = new S3Client({ region: 'us-east-1', endpoint: fake.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test-secret' } });
    try {
      const sut = new S3MediaStorage(client, 'charla-media');
      const key = mediaKey(randomUUID(), randomUUID());
      const bytes = randomBytes(2048);

      await sut.put(key, bytes, 'image/png');
      expect(fake.objects.get(`/charla-media/${key}`)).toEqual({ body: bytes, type: 'image/png' });
      expect(await sut.get(key)).toEqual(bytes);
      await sut.delete(key);
      expect(await sut.get(key)).toBeUndefined();
      expect(fake.requests.every((line) => line.endsWith(' signed'))).toBe(true);
    } finally {
      client.destroy();
      await new Promise((resolve) => fake.server.close(resolve));
    }
  });
});
