// `--profile=DIR`: each app the benchmark starts runs with bench/lib/app-probe.cjs preloaded and the
// inspector open, and `profiled(app, name, task)` records a CPU profile (DIR/name.cpuprofile) and the
// probe's query timings (DIR/name-probe.json) over the task. Without --profile it only runs the task.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectInspector } from './inspector.mjs';

export const profiling = { dir: undefined };
export const PROBE = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, 'app-probe.cjs');

export async function profiled(app, name, task) {
  if (!profiling.dir || !app?.inspectorUrl) return task();
  const session = await connectInspector(app.inspectorUrl);
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
