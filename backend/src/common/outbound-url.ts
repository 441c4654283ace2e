import { Inject, Injectable } from '@nestjs/common';
import { lookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { AppError } from './app-error';

/**
 * Addresses a URL given by a tenant must not reach: this host, private networks, link-local ranges
 * (cloud metadata services live at 169.254.169.254 and fd00:ec2::254), and ranges that are never
 * public. IPv4-mapped IPv6 addresses are checked as the IPv4 address they carry.
 */
const BLOCKED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv6');
}

export interface OutboundRequest {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Time for the whole request, body included. */
  timeoutMs: number;
  /** Largest response body accepted; a longer one fails with 413-like `URL_RESPONSE_TOO_LARGE`. */
  maxBytes: number;
  /** Redirects to the same host are followed up to this many times; a redirect elsewhere is an error. */
  maxSameHostRedirects?: number;
  /** The request field that carried the URL, for error messages. */
  field: string;
}

export interface OutboundResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The URL that responded, after same-host redirects. */
  url: string;
}

/** Returns whether an IP address is one a tenant's URL may not reach. */
export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 4) return BLOCKED.check(address, 'ipv4');

  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return BLOCKED.check(mapped[1], 'ipv4');
  return BLOCKED.check(address, 'ipv6');
}

/**
 * The one way the app calls URLs that tenants give it (media, webhooks, model servers). Only http
 * and https without credentials; the host must resolve to public addresses only, unless
 * `ALLOW_PRIVATE_NETWORK_URLS` is on; the connection goes to the address that was checked, so a
 * DNS answer that changes between check and connect cannot slip through.
 */
@Injectable()
export class OutboundUrlGuard {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Checks a URL when it is saved; throws 400 `URL_NOT_ALLOWED` naming the field and the reason. */
  async check(raw: string, field: string): Promise<URL> {
    const url = this.parse(raw, field);
    await this.resolve(url, field);
    return url;
  }

  async fetch(raw: string, options: OutboundRequest): Promise<OutboundResponse> {
    let url = this.parse(raw, options.field);
    const deadline = Date.now() + options.timeoutMs;

    for (let redirects = 0; ; redirects += 1) {
      const address = await this.resolve(url, options.field);
      const response = await this.send(url, address, options, deadline);
      const location = response.headers.location;
      if (response.status < 300 || response.status >= 400 || !location) return { ...response, url: url.toString() };

      const next = new URL(location, url);
      if (next.host !== url.host || redirects >= (options.maxSameHostRedirects ?? 0)) {
        throw notAllowed(options.field, redact(url), `it redirects to ${next.origin}, and redirects to other hosts are not followed`);
      }
      url = this.parse(next.toString(), options.field);
    }
  }

  private parse(raw: string, field: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw AppError.badRequest('URL_NOT_ALLOWED', `${field} is not a valid URL. Give an absolute http or https URL.`, { errors: [{ field, reason: 'not a valid URL' }] });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw notAllowed(field, redact(url), `only http and https are allowed, not ${url.protocol}`);
    if (url.username || url.password) throw notAllowed(field, redact(url), 'credentials in the URL are not allowed; use headers instead');
    return url;
  }

  /** Resolves the host and returns the address to connect to, after checking every address it has. */
  private async resolve(url: URL, field: string): Promise<{ address: string; family: number }> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    let addresses: { address: string; family: number }[];
    try {
      addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await lookup(host, { all: true, verbatim: true });
    } catch {
      throw AppError.unprocessable('URL_UNREACHABLE', `The host of ${field} (${host}) could not be resolved. Check the URL.`);
    }
    if (addresses.length === 0) throw AppError.unprocessable('URL_UNREACHABLE', `The host of ${field} (${host}) has no address. Check the URL.`);

    if (!this.config.allowPrivateNetworkUrls) {
      const blocked = addresses.find((entry) => isBlockedAddress(entry.address));
      if (blocked) {
        throw notAllowed(field, redact(url), `${host} resolves to ${blocked.address}, a loopback, private, link-local or reserved address. Self-hosted installs can set ALLOW_PRIVATE_NETWORK_URLS=true`);
      }
    }
    return addresses[0];
  }

  private send(url: URL, target: { address: string; family: number }, options: OutboundRequest, deadline: number): Promise<Omit<OutboundResponse, 'url'>> {
    const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
      if ((lookupOptions as { all?: boolean }).all) (callback as unknown as (error: null, addresses: { address: string; family: number }[]) => void)(null, [target]);
      else callback(null, target.address, target.family);
    };
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const remaining = Math.max(1, deadline - Date.now());

    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        outgoing.destroy();
        reject(AppError.unprocessable('URL_TIMEOUT', `${options.field} timed out after ${options.timeoutMs} ms. Check that the server is up, or use a faster one.`));
      }, remaining);
      const outgoing = request(url, { method: options.method ?? 'GET', headers: options.headers, lookup: pinned }, (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) {
            clearTimeout(timer);
            outgoing.destroy();
            reject(AppError.unprocessable('URL_RESPONSE_TOO_LARGE', `${options.field} returned more than ${options.maxBytes} bytes, the limit.`));
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) });
        });
        response.on('error', (error) => {
          clearTimeout(timer);
          reject(AppError.unprocessable('URL_FAILED', `Reading ${options.field} failed: ${error.message}.`));
        });
      });
      outgoing.on('error', (error) => {
        clearTimeout(timer);
        reject(AppError.unprocessable('URL_FAILED', `Calling ${options.field} failed: ${error.message}.`));
      });
      outgoing.end(options.body);
    });
  }
}

function notAllowed(field: string, url: string, reason: string): AppError {
  return AppError.badRequest('URL_NOT_ALLOWED', `${field} (${url}) is not allowed: ${reason}.`, { errors: [{ field, reason }] });
}

/** Returns the URL without its query and fragment, which may carry tokens. */
function redact(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}
