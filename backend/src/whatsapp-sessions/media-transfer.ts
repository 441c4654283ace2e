import type { WAMessage, WASocket } from '@whiskeysockets/baileys';
import { Agent as HttpsAgent } from 'node:https';
import type { Baileys } from './baileys.provider';

/** A download that failed because WhatsApp no longer has the file, even after asking the phone again. */
export class MediaExpiredError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MediaExpiredError';
  }
}

interface Dispatcher {
  close(): Promise<void>;
}

/**
 * The HTTPS settings Baileys uses for media. Live mode gets none and trusts the system's roots.
 * Sandbox mode trusts the simulator's test authority, for media connections only: an `https.Agent`
 * for uploads (Baileys' `fetchAgent`) and an undici dispatcher for downloads, which go through
 * Node's built-in fetch.
 */
export class MediaTransport {
  readonly uploadAgent?: HttpsAgent;
  private dispatcher?: Promise<Dispatcher>;

  constructor(private readonly caPem?: string) {
    this.uploadAgent = caPem ? new HttpsAgent({ ca: caPem, keepAlive: true }) : undefined;
  }

  /** Options for Baileys' download functions (`options` is handed to fetch). */
  async downloadOptions(): Promise<{ options?: RequestInit }> {
    if (!this.caPem) return {};
    this.dispatcher ??= createDispatcher(this.caPem);
    // `dispatcher` is undici's extension of RequestInit, which the DOM typings do not list.
    return { options: { dispatcher: await this.dispatcher } as RequestInit };
  }

  /** Closes the connections; safe to call more than once (undici rejects a second close). */
  async close(): Promise<void> {
    this.uploadAgent?.destroy();
    const dispatcher = this.dispatcher;
    this.dispatcher = undefined;
    await (await dispatcher)?.close();
  }
}

/**
 * Node 20 ships undici inside fetch without exporting it, so its Agent class is taken from the global
 * dispatcher that a first fetch creates. It is read from fetch's own realm, which differs from
 * `globalThis` when code runs inside a VM context such as jest's.
 * NOTE: this relies on undici's registration under Symbol.for('undici.globalDispatcher.1'), present
 * in Node 20 and 22; it is used only in sandbox mode.
 */
async function createDispatcher(caPem: string): Promise<Dispatcher> {
  await fetch('data:,').catch(() => undefined);
  const realmGlobal = (fetch.constructor as FunctionConstructor)('return globalThis')() as Record<symbol, { constructor: new (options: object) => Dispatcher } | undefined>;
  const globalDispatcher = realmGlobal[Symbol.for('undici.globalDispatcher.1')];
  if (!globalDispatcher) throw new Error("Could not find Node's built-in undici dispatcher, so sandbox media downloads cannot trust the simulator's certificate authority.");
  return new globalDispatcher.constructor({ connect: { ca: caPem } });
}

const statusOf = (error: unknown): number | undefined => (error as { output?: { statusCode?: number } })?.output?.statusCode;
const GONE_STATUSES = new Set([404, 410]);

/**
 * Downloads and decrypts a media message with Baileys. When the media host responds with 404 or 410, the phone
 * is asked once to upload the file again, and the download is repeated with the new link; if that
 * fails too, MediaExpiredError is thrown. rc14's downloadMediaMessage would re-request by itself
 * but checks `error.status`, which its Boom errors do not set, so it is done here.
 */
export async function downloadMedia(baileys: Baileys, socket: WASocket, message: WAMessage, transport: MediaTransport): Promise<Buffer> {
  const options = await transport.downloadOptions();
  const download = (target: WAMessage) => baileys.downloadMediaMessage(target, 'buffer', options) as Promise<Buffer>;
  try {
    return await download(message);
  } catch (error) {
    if (!GONE_STATUSES.has(statusOf(error) ?? 0)) throw error;
  }

  let refreshed: WAMessage;
  try {
    // The new link is built from the host of the socket's last media_conn, so one is fetched first.
    await socket.refreshMediaConn(false);
    refreshed = await socket.updateMediaMessage(message);
  } catch (error) {
    throw new MediaExpiredError(`WhatsApp no longer has the file and the phone could not upload it again: ${(error as Error).message}`);
  }
  try {
    return await download(refreshed);
  } catch (error) {
    if (GONE_STATUSES.has(statusOf(error) ?? 0)) throw new MediaExpiredError(`The re-uploaded file is not available either (HTTP ${statusOf(error)}).`);
    throw error;
  }
}
