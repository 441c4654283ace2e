// A client for an app's V8 inspector (the app runs with --inspect=127.0.0.1:0), and the heap reading
// after a full GC that the soak scenario takes through it.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const WebSocket = require('ws');

/** Opens an inspector session; `call(method, params)` resolves with the method's result. */
export async function connectInspector(inspectorUrl) {
  // CPU profiles and heap snapshots arrive as single large messages.
  const socket = new WebSocket(inspectorUrl, { maxPayload: 1 << 30 });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  let nextId = 1;
  const call = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const listener = (data) => {
        const message = JSON.parse(data.toString());
        if (message.id !== id) return;
        socket.off('message', listener);
        if (message.error) reject(new Error(`${method} failed: ${message.error.message}`));
        else resolve(message.result);
      };
      socket.on('message', listener);
      socket.send(JSON.stringify({ id, method, params }));
    });
  return { call, close: () => socket.close() };
}

export async function heapAfterGc(inspectorUrl) {
  const session = await connectInspector(inspectorUrl);
  try {
    await session.call('HeapProfiler.collectGarbage');
    await session.call('HeapProfiler.collectGarbage');
    const { result } = await session.call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
    return JSON.parse(result.value);
  } finally {
    session.close();
  }
}
