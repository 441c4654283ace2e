// Panel-side clients: Socket.IO sockets with a tenant's JWT (our path) and plain ws clients (the baseline).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { io } = require('socket.io-client');
const WebSocket = require('ws');

/** Connects `count` Socket.IO clients with `token` and calls `onMessage(payload, receivedAt)` for each `message.created`. */
export async function connectPanelSockets(url, token, count, onMessage) {
  const sockets = [];
  for (let i = 0; i < count; i++) {
    const socket = io(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    socket.on('message.created', (payload) => onMessage(payload, performance.now()));
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    sockets.push(socket);
  }
  return { close: () => sockets.forEach((socket) => socket.close()) };
}

/** Connects `count` ws clients to the baseline broadcaster for tenant `tenant`. */
export async function connectWsClients(port, tenant, count, onMessage) {
  const clients = [];
  for (let i = 0; i < count; i++) {
    const client = new WebSocket(`ws://127.0.0.1:${port}/?tenant=${tenant}`, { perMessageDeflate: false });
    client.on('message', (data) => onMessage(JSON.parse(data.toString()), performance.now()));
    await new Promise((resolve, reject) => {
      client.once('open', resolve);
      client.once('error', reject);
    });
    clients.push(client);
  }
  return { close: () => clients.forEach((client) => client.close()) };
}
