import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from '../config/app-config';
import { isBlockedAddress, OutboundUrlGuard } from './outbound-url';

const guard = (allowPrivateNetworkUrls: boolean) => new OutboundUrlGuard({ allowPrivateNetworkUrls } as AppConfig);

describe('OutboundUrlGuard', () => {
  it.each([
    'http://127.0.0.1/',
    'http://localhost:3000/api',
    'http://[::1]/',
    'http://0.0.0.0/',
    'http://2130706433/',
    'http://0x7f000001/',
    'http://017700000001/',
    'http://127.1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://[fd00:ec2::254]/',
    'http://[fe80::1]/',
    'http://10.0.0.5/',
    'http://172.16.0.1/',
    'http://192.168.1.1/',
    'http://100.64.0.1/',
    'file:///etc/passwd',
    'ftp://example.com/file',
    'gopher://example.com/',
    'http://user:secret@example.com/',
    'not a url',
  ])('rejects %s with URL_NOT_ALLOWED', async (url) => {
    await expect(guard(false).check(url, 'url')).rejects.toMatchObject({ code: 'URL_NOT_ALLOWED' });
  });

  it('never puts the password of a URL in its error', async () => {
    const error = await guard(false).check('http://user:s3cret-token@example.com/?key=abc', 'url').catch((caught: Error) => caught);
    expect(JSON.stringify((error as unknown as { getResponse(): unknown }).getResponse())).not.toMatch(/s3cret-token|key=abc/);
  });

  it.each([
    ['8.8.8.8', false],
    ['2001:4860:4860::8888', false],
    ['127.0.0.1', true],
    ['::ffff:10.1.2.3', true],
    ['fd12::1', true],
    ['not-an-ip', true],
  ])('classifies %s (blocked: %s)', (address, blocked) => {
    expect(isBlockedAddress(address)).toBe(blocked);
  });

  describe('with ALLOW_PRIVATE_NETWORK_URLS', () => {
    let server: Server;
    let base: string;

    beforeAll(async () => {
      server = createServer((req, res) => {
        if (req.url === '/hop') return void res.writeHead(302, { location: '/file' }).end();
        if (req.url === '/away') return void res.writeHead(302, { location: 'http://example.com/file' }).end();
        if (req.url === '/big') return void res.end(Buffer.alloc(2048));
        if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2_000);
        res.end('contenido');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    afterAll(() => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    });

    const options = { timeoutMs: 1_000, maxBytes: 1024, field: 'url', maxSameHostRedirects: 2 };

    it('fetches a loopback server only when private addresses are allowed', async () => {
      await expect(guard(false).fetch(`${base}/file`, options)).rejects.toMatchObject({ code: 'URL_NOT_ALLOWED' });
      const response = await guard(true).fetch(`${base}/file`, options);
      expect(response.body.toString()).toBe('contenido');
    });

    it('follows a redirect on the same host and refuses one to another host', async () => {
      expect((await guard(true).fetch(`${base}/hop`, options)).url).toBe(`${base}/file`);
      await expect(guard(true).fetch(`${base}/hop`, { ...options, maxSameHostRedirects: 0 })).rejects.toMatchObject({ code: 'URL_NOT_ALLOWED' });
      await expect(guard(true).fetch(`${base}/away`, options)).rejects.toMatchObject({ code: 'URL_NOT_ALLOWED' });
    });

    it('stops at the size and time limits', async () => {
      await expect(guard(true).fetch(`${base}/big`, options)).rejects.toMatchObject({ code: 'URL_RESPONSE_TOO_LARGE' });
      await expect(guard(true).fetch(`${base}/slow`, { ...options, timeoutMs: 200 })).rejects.toMatchObject({ code: 'URL_TIMEOUT' });
    });
  });
});
