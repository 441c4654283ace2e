import type { OutboundUrlGuard } from '../../common/outbound-url';

/** Largest model response read; a chat completion is a few kilobytes. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
/** Hop-by-hop and encoding headers that do not describe the buffered body handed back to the SDK. */
const DROPPED_RESPONSE_HEADERS = new Set(['content-encoding', 'content-length', 'transfer-encoding', 'connection']);

/**
 * A `fetch` for the official model SDKs that sends every request through the URL guard, so a model
 * base URL gets the same address checks and pinning as any other tenant URL. Bodies are buffered:
 * streaming responses are not supported, and the automatic replies do not use them.
 */
export function guardedFetch(guard: OutboundUrlGuard, field: string, timeoutMs: number): (input: string | URL | Request, init?: RequestInit) => Promise<Response> {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url;
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    if (method !== 'GET' && method !== 'POST') throw new Error(`The model client asked for an HTTP ${method} request, which Charla does not send to model servers`);

    const headers = Object.fromEntries(new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined)).entries());
    // The guard returns the raw bytes, so ask for an uncompressed body.
    headers['accept-encoding'] = 'identity';
    const rawBody = init?.body ?? null;
    const body = rawBody === null ? undefined : typeof rawBody === 'string' ? rawBody : Buffer.from(await new Response(rawBody).arrayBuffer());

    const response = await guard.fetch(url, { method, headers, body, timeoutMs, maxBytes: MAX_RESPONSE_BYTES, field });
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      if (value === undefined || DROPPED_RESPONSE_HEADERS.has(name)) continue;
      for (const item of Array.isArray(value) ? value : [value]) responseHeaders.append(name, item);
    }
    const empty = response.status === 204 || response.status === 304;
    return new Response(empty ? null : new Uint8Array(response.body), { status: response.status, headers: responseHeaders });
  };
}
