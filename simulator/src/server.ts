// Wires the HTTP server (control API) and the WebSocket endpoint on one loopback port.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { loadBaileys, type Baileys } from './baileys';
import { buildCertChain } from './certs';
import { Connection } from './connection';
import { createControlHandler } from './control-api';
import { SimulatorCore } from './core';
import { silentLog, type LogFn } from './log';
import { startMediaHost } from './media-host';
import type { KeyPair } from './noise';
import { StateStore } from './state-store';

export interface SimulatorOptions {
  /** 0 (default) picks an ephemeral port; the server binds 127.0.0.1 only. */
  port?: number;
  /** Folder for the persisted JSON state; without it everything lives in memory. */
  stateDir?: string;
  /** Refs per pair-device, default 6. */
  qrRefCount?: number;
  /**
   * The `qrTimeout` the companions use, if known. The server then accepts a ref only while the
   * client shows it; without it a ref stays scannable until Baileys' default schedule retires it.
   */
  qrTimeoutMs?: number;
  /**
   * For trust tests: sign the Noise certificate chain with a random key instead of the root that
   * `rootPublicKey` advertises, as a server that is not the trusted one would. Strict clients reject it.
   */
  untrustedCertRoot?: boolean;
  /**
   * For trust tests: the phone signs the ADV account signature in pair-success with a random key
   * instead of its account key, as a forged pairing would. Strict clients reject the pairing.
   */
  forgeAccountSignature?: boolean;
  log?: LogFn;
}

export interface WhatsAppSimulator {
  readonly wsUrl: string;
  readonly controlUrl: string;
  readonly rootPublicKey: Uint8Array;
  /** The PEM certificate of the test authority behind the HTTPS media host; clients trust it for media only. */
  readonly mediaCaPem: string;
  close(): Promise<void>;
}

const WS_PATH = '/ws/chat';

/** Picks the key that signs the intermediate certificate, which is the advertised root unless a trust test asks for another. */
function certChainSigner(wa: Baileys, rootKey: KeyPair, options: SimulatorOptions, log: LogFn): KeyPair {
  if (!options.untrustedCertRoot) return rootKey;
  log('warn', 'signing the certificate chain with an untrusted root (untrustedCertRoot)');
  return wa.Curve.generateKeyPair();
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<WhatsAppSimulator> {
  const log = options.log ?? silentLog;
  const wa = await loadBaileys();
  const store = StateStore.open(wa, options.stateDir, log);
  const { state } = store;
  const certChain = buildCertChain(wa, certChainSigner(wa, state.rootKey, options, log), state.intermediateKey, state.serverStatic);
  const core = new SimulatorCore(wa, store, log, {
    qrRefCount: options.qrRefCount ?? 6,
    qrTimeoutMs: options.qrTimeoutMs,
    forgeAccountSignature: options.forgeAccountSignature ?? false,
  });
  if (core.options.forgeAccountSignature) log('warn', 'forging the account signature in every pair-success (forgeAccountSignature)');
  core.media = await startMediaHost(options.stateDir, log);

  let wsUrl = '';
  const rootPublicKey = new Uint8Array(state.rootKey.public);
  const server: Server = createServer(createControlHandler({ core, wsUrl: () => wsUrl, rootPublicKey, mediaCaPem: core.media.caPem }));
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path !== WS_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, ws => {
      const conn = new Connection(ws, core, state.serverStatic, certChain);
      core.connections.add(conn);
      log('debug', 'websocket connected', { conn: conn.id });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  wsUrl = `ws://127.0.0.1:${port}${WS_PATH}`;
  const controlUrl = `http://127.0.0.1:${port}`;
  log('debug', 'whatsapp simulator listening', { wsUrl, controlUrl, mediaHost: core.media.hostname, stateDir: options.stateDir });

  let closing: Promise<void> | undefined;
  return {
    wsUrl,
    controlUrl,
    rootPublicKey,
    mediaCaPem: core.media.caPem,
    close() {
      closing ??= (async () => {
        core.close();
        for (const client of wss.clients) client.terminate();
        await new Promise<void>(resolve => wss.close(() => resolve()));
        server.closeAllConnections();
        await new Promise<void>(resolve => server.close(() => resolve()));
        await core.media.close();
        await store.close();
        log('info', 'whatsapp simulator stopped', { controlUrl });
      })();
      return closing;
    },
  };
}
