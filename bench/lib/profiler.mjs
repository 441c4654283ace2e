// `--profile=DIR`: each app the benchmark starts runs with bench/lib/app-probe.cjs preloaded and the
// inspector open, and `profiled(app, name, task)` records a CPU profile (DIR/name.cpuprofile) and the
// probe's query timings (DIR/name-probe.json) over the task. Without --profile it only runs the task.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const WebSocket = require('ws');

export const profiling = { dir: undefined };
export const PROBE = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, 'app-probe.cjs');

async function connect(inspectorUrl) {
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

export async function profiled(app, name, task) {
  if (!profiling.dir || !app?.inspectorUrl) return task();
  const session = await connect(app.inspectorUrl);
  await session.call('Profiler.enable');
  await session.call('Profiler.setSamplingInterval', { interval: 500 });
  await session.call('Runtime.evaluate', { expression: 'globalThis.__benchProbe?.reset()' });
  await session.call('Profiler.start');
  try {
    return await task();
  } finally {
    const { profile } = await session.call('Profiler.stop');
    const { result } = await session.call('Runtime.evaluate', { expression: 'globalThis.__benchProbe?.dump()', returnByValue: true });
    writeFileSync(join(profiling.dir, `${name}.cpuprofile`), JSON.stringify(profile));
    if (result?.value) writeFileSync(join(profiling.dir, `${name}-probe.json`), result.value);
    session.close();
  }
}
