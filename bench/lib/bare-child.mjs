// Bare Baileys sockets, the baseline: linked to the simulator with their own multi-file auth folders,
// with a `messages.upsert` handler that only counts (and, for the feed baseline, broadcasts over plain ws).
// The parent drives it over IPC; see the `commands` table below.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// libsignal prints session records with console.info; the app's filter keeps them out of the output.
require(`${process.env.BENCH_BACKEND_DIR ?? new URL('../../backend', import.meta.url).pathname}/dist/common/libsignal-console.js`).installLibsignalConsoleFilter();
const baileys = await import('@whiskeysockets/baileys');
const { WebSocketServer } = require('ws');
const { makeWASocket, useMultiFileAuthState, DisconnectReason, WA_CERT_DETAILS, Browsers } = baileys;
const logger = require('pino')({ level: 'silent' });

const { wsUrl, rootPublicKey } = JSON.parse(process.env.BENCH_SIMULATOR);
WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(rootPublicKey, 'base64');

/** index → {socket, dir, open} */
const sockets = new Map();
let received = 0;
const seenIds = new Set();
let duplicates = 0;
let broadcast;

function countMessage(index, message) {
  const id = message.key?.id;
  if (!id || message.key.fromMe) return;
  if (seenIds.has(id)) duplicates += 1;
  else seenIds.add(id);
  received += 1;
  if (broadcast) {
    const payload = JSON.stringify({ event: 'message.created', id, content: message.message?.conversation ?? null, at: Date.now() });
    // Each socket stands for one tenant, and its clients get only that tenant's messages, as in a Socket.IO room.
    for (const client of broadcast.clients) if (client.tenant === index) client.send(payload);
  }
}

async function openSocket(index, dir) {
  mkdirSync(dir, { recursive: true });
  const { state, saveCreds } = await useMultiFileAuthState(dir);
  const socket = makeWASocket({
    auth: state,
    logger,
    browser: Browsers.ubuntu('Bench'),
    waWebSocketUrl: wsUrl,
    markOnlineOnConnect: false,
    syncFullHistory: false,
    shouldSyncHistoryMessage: () => true,
    getMessage: async () => undefined,
  });
  const entry = { socket, dir, open: false };
  sockets.set(index, entry);
  socket.ev.on('creds.update', saveCreds);
  socket.ev.on('messages.upsert', ({ messages }) => {
    for (const message of messages) countMessage(index, message);
  });
  socket.ev.on('connection.update', (update) => {
    if (update.qr) process.send({ evt: 'qr', index, qr: update.qr });
    if (update.connection === 'open') {
      entry.open = true;
      process.send({ evt: 'open', index, at: Date.now() });
    }
    if (update.connection === 'close') {
      entry.open = false;
      const code = update.lastDisconnect?.error?.output?.statusCode;
      if (sockets.get(index) !== entry || entry.closing) return;
      if (code === DisconnectReason.loggedOut) {
        process.send({ evt: 'error', index, message: `socket ${index} was logged out` });
        return;
      }
      // 515 after a scan, or a dropped connection: reconnect with the same credentials.
      setTimeout(() => void openSocket(index, dir), code === DisconnectReason.restartRequired ? 0 : 500);
    }
  });
}

const commands = {
  /** Opens one socket per folder: new folders show QRs (reported as `qr` events), linked ones log in. */
  async open({ dirs, offset = 0 }) {
    await Promise.all(dirs.map((dir, i) => openSocket(offset + i, dir)));
  },
  stats() {
    return { received, duplicates, open: [...sockets.values()].filter((entry) => entry.open).length, memory: process.memoryUsage() };
  },
  resetCounts() {
    received = 0;
    duplicates = 0;
    seenIds.clear();
  },
  /** Starts a plain ws server that gets every received message, as the feed baseline. */
  async broadcast() {
    broadcast = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    broadcast.on('connection', (client, request) => {
      client.tenant = Number(new URL(request.url, 'http://127.0.0.1').searchParams.get('tenant'));
    });
    await new Promise((resolve) => broadcast.once('listening', resolve));
    return { port: broadcast.address().port };
  },
  async close() {
    for (const entry of sockets.values()) {
      entry.closing = true;
      entry.socket.ev.removeAllListeners();
      entry.socket.end(undefined);
    }
    broadcast?.close();
    setTimeout(() => process.exit(0), 300);
  },
};

process.on('message', async ({ id, cmd, args }) => {
  try {
    const result = await commands[cmd](args ?? {});
    process.send({ evt: 'reply', id, result });
  } catch (error) {
    process.send({ evt: 'reply', id, error: error.stack ?? String(error) });
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ evt: 'ready' });
