// The loopback media host that stands in for WhatsApp's `mmg.whatsapp.net`: an HTTPS server on
// 127.0.0.1 with a certificate from the simulator's test authority. Baileys uploads encrypted files
// with `POST /mms/<type>/<fileEncSha256>?auth=…` (the host and the auth token come from the
// `media_conn` iq) and downloads them from the `directPath` it finds in a message.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { LogFn } from './log';
import { createCertificateAuthority, issueServerCertificate, type CertificateAuthority } from './media-certs';

/** Largest upload the test host accepts. */
const MAX_UPLOAD_BYTES = 128 * 1024 * 1024;
/** Seconds a `media_conn` answer stays valid for the client. */
export const MEDIA_CONN_TTL_SECONDS = 3600;

export interface MediaHost {
  /** `127.0.0.1:<port>`, the `hostname` the `media_conn` iq announces. */
  readonly hostname: string;
  /** The test certificate authority in PEM; only clients that trust it can reach the host. */
  readonly caPem: string;
  /** The token uploads must carry as `auth`. */
  readonly auth: string;
  /** Stores an encrypted file and returns where it can be downloaded. */
  put(encrypted: Buffer): { directPath: string; url: string };
  get(directPath: string): Buffer | undefined;
  delete(directPath: string): void;
  close(): Promise<void>;
}

/**
 * Loads the authority from `stateDir/media-ca.json`, or creates and saves one, so apps that trust it
 * keep working across simulator restarts. Without a state folder each start makes a new one.
 */
function loadAuthority(stateDir: string | undefined, log: LogFn): CertificateAuthority {
  const path = stateDir ? join(stateDir, 'media-ca.json') : undefined;
  if (path && existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as CertificateAuthority;
  const authority = createCertificateAuthority();
  if (path) {
    mkdirSync(stateDir!, { recursive: true });
    writeFileSync(path, JSON.stringify(authority), { mode: 0o600 });
    log('info', 'created the media host test certificate authority', { path });
  }
  return authority;
}

export async function startMediaHost(stateDir: string | undefined, log: LogFn): Promise<MediaHost> {
  const authority = loadAuthority(stateDir, log);
  const credentials = issueServerCertificate(authority);
  // NOTE: files live in memory only, so links in messages sent before a simulator restart return 404.
  const files = new Map<string, Buffer>();
  const auth = randomBytes(24).toString('base64url');
  let hostname = '';

  const put = (encrypted: Buffer) => {
    const directPath = `/v/t62.7118-24/${randomBytes(16).toString('hex')}.enc?ccb=11-4&oh=${randomBytes(8).toString('hex')}`;
    files.set(directPath.split('?')[0], encrypted);
    return { directPath, url: `https://${hostname}${directPath}&mms3=true` };
  };

  const server: Server = createServer({ cert: credentials.certPem, key: credentials.keyPem }, (req, res) => {
    const url = new URL(req.url ?? '/', `https://${hostname}`);
    const reply = (status: number, body: unknown) => {
      const data = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
      res.end(data);
    };

    if (req.method === 'POST' && url.pathname.startsWith('/mms/')) {
      if (url.searchParams.get('auth') !== auth) return reply(401, { error: 'invalid auth token; fetch media_conn again' });
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_UPLOAD_BYTES) {
          reply(413, { error: `upload larger than ${MAX_UPLOAD_BYTES} bytes` });
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => {
        if (res.writableEnded) return;
        const stored = put(Buffer.concat(chunks));
        log('debug', 'media uploaded', { path: url.pathname, bytes: size });
        reply(200, { url: stored.url, direct_path: stored.directPath });
      });
      return;
    }

    if (req.method === 'GET') {
      const file = files.get(url.pathname);
      if (!file) return reply(404, { error: 'media not found or expired' });
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.length });
      res.end(file);
      return;
    }
    reply(404, { error: `no route for ${req.method} ${url.pathname}` });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  hostname = `127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    hostname,
    caPem: authority.certPem,
    auth,
    put,
    get: directPath => files.get(new URL(directPath, `https://${hostname}`).pathname),
    delete: directPath => void files.delete(new URL(directPath, `https://${hostname}`).pathname),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>(resolve => server.close(() => resolve()));
    },
  };
}
