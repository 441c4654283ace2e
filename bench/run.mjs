#!/usr/bin/env node
// Runs Charla's benchmark scenarios against the simulator, each interleaved with its baseline, and
// writes docs/benchmarks.md and docs/benchmarks.csv. `--smoke` runs every scenario once at tiny
// sizes and writes nothing (the test suite uses it). `node bench/run.mjs --help` lists the sizes.
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as rig from './lib/rig.mjs';
import { createWorld } from './lib/world.mjs';
import { feed, ingest, outbound, soak } from './lib/traffic-scenarios.mjs';
import { conversations, memoryAndRestore, storage } from './lib/fleet-scenarios.mjs';
import { writeReport } from './lib/report.mjs';
import { profiled, profiling } from './lib/profiler.mjs';

const FULL = {
  pairs: 3, tenants: 20, contacts: 5,
  'ingest-messages': 10000,
  'feed-rate': 100, 'feed-seconds': 10, 'feed-sockets': 10,
  'soak-messages': 50000, 'soak-step': 10000,
  'outbound-replies': 1000, 'outbound-sessions': 10, 'session-gap-ms': 100, 'chat-gap-ms': 1000,
  'fleet-sessions': 100, 'settle-ms': 5000,
  'storage-rows': 5000, 'storage-batch': 500,
  'conversation-messages': 200000, 'conversation-count': 10000, 'api-requests': 100,
};
const SMOKE = {
  pairs: 1, tenants: 2, contacts: 2,
  'ingest-messages': 20,
  'feed-rate': 10, 'feed-seconds': 1, 'feed-sockets': 2,
  'soak-messages': 40, 'soak-step': 20,
  'outbound-replies': 4, 'outbound-sessions': 2, 'session-gap-ms': 50, 'chat-gap-ms': 100,
  'fleet-sessions': 2, 'settle-ms': 500,
  'storage-rows': 50, 'storage-batch': 25,
  'conversation-messages': 500, 'conversation-count': 50, 'api-requests': 5,
};
const SCENARIOS = ['storage', 'conversations', 'ingest', 'feed', 'outbound', 'soak', 'fleet'];

const { values: flags } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string' },
    'report-from': { type: 'string' },
    profile: { type: 'string' },
    ...Object.fromEntries(Object.keys(FULL).map((name) => [name, { type: 'string' }])),
  },
});
if (flags.help) {
  process.stdout.write(`Usage: npm run bench [-- --smoke] [--only=${SCENARIOS.join(',')}] [--profile=DIR] [--<size>=N]\n--profile=DIR writes a CPU profile and query timings of the app per scenario to DIR (summarise with bench/profile-summary.mjs).\nSizes (full run defaults):\n${Object.entries(FULL).map(([name, value]) => `  --${name}=${value}`).join('\n')}\n`);
  process.exit(0);
}
if (flags['report-from']) {
  // Rewrites the report from a saved run, for example after editing bench/findings.md.
  const saved = JSON.parse(readFileSync(flags['report-from'], 'utf8'));
  writeReport({ ...saved, outDir: flags.out ?? join(rig.ROOT, 'docs'), failures: saved.failures.map((failure) => ({ ...failure, error: new Error(failure.message) })) });
  process.exit(0);
}
if (flags.profile) {
  const { mkdirSync } = await import('node:fs');
  mkdirSync(flags.profile, { recursive: true });
  profiling.dir = flags.profile;
}
const defaults = flags.smoke ? SMOKE : FULL;
const size = Object.fromEntries(Object.keys(FULL).map((name) => [name, flags[name] !== undefined ? Number(flags[name]) : defaults[name]]));
const selected = flags.only ? flags.only.split(',') : SCENARIOS;
const unknown = selected.filter((name) => !SCENARIOS.includes(name));
if (unknown.length) throw new Error(`Unknown scenario ${unknown.join(', ')}; choose from ${SCENARIOS.join(', ')}`);

const started = performance.now();
const log = (message) => process.stdout.write(`[bench ${((performance.now() - started) / 1000).toFixed(0)} s] ${message}\n`);

const databaseServer = await rig.startDatabaseServer();
const postgresVersion = await rig.serverVersion(databaseServer.adminUrl);
const simulator = await rig.startSimulatorProcess();
const results = [];
const failures = [];
const run = async (name, task) => {
  if (!selected.includes(name)) return;
  log(`${name}: start`);
  const scenarioStarted = performance.now();
  try {
    const result = await task();
    for (const entry of [result].flat()) {
      entry.wallSeconds = Math.round((performance.now() - scenarioStarted) / 1000);
      results.push(entry);
      log(`${name}: ${entry.scenario}: ours ${JSON.stringify(entry.ours)} baseline ${JSON.stringify(entry.baseline)} ratio ${entry.ratio} met ${entry.met}`);
    }
  } catch (error) {
    failures.push({ name, error });
    log(`${name}: FAILED: ${error.stack ?? error}`);
  }
};

try {
  await run('storage', () => storage({ databaseServer, rows: size['storage-rows'], batch: size['storage-batch'], pairs: size.pairs, log }));
  await run('conversations', () => conversations({ databaseServer, simulator, messages: size['conversation-messages'], conversationCount: size['conversation-count'], requests: size['api-requests'], pairs: size.pairs, log }));

  const needsWorld = ['ingest', 'feed', 'outbound', 'soak'].some((name) => selected.includes(name));
  if (needsWorld) {
    log(`world: linking ${size.tenants} app sessions and ${size.tenants} bare sockets`);
    const world = await createWorld({
      databaseServer,
      simulator,
      tenants: size.tenants,
      contactsPerAccount: size.contacts,
      appExtraEnv: { OUTBOX_SESSION_GAP_MS: String(size['session-gap-ms']), OUTBOX_CHAT_GAP_MS: String(size['chat-gap-ms']) },
    });
    try {
      await run('ingest', () => profiled(world.app, 'ingest', () => ingest({ world, simulator, messages: size['ingest-messages'], pairs: size.pairs, log })));
      await run('feed', () => profiled(world.app, 'feed', () => feed({ world, simulator, rate: size['feed-rate'], seconds: size['feed-seconds'], socketsPerTenant: size['feed-sockets'], pairs: size.pairs, log })));
      await run('outbound', () => profiled(world.app, 'outbound', () => outbound({ world, simulator, replies: size['outbound-replies'], sessions: size['outbound-sessions'], sessionGapMs: size['session-gap-ms'], chatGapMs: size['chat-gap-ms'], log })));
      await run('soak', () => soak({ world, simulator, messages: size['soak-messages'], step: size['soak-step'], log }));
    } finally {
      await world.close();
    }
  }
  await run('fleet', () => memoryAndRestore({ databaseServer, simulator, sessions: size['fleet-sessions'], pairs: size.pairs, settleMs: size['settle-ms'], log }));
} finally {
  await simulator.close();
  await databaseServer.stop();
}

const totalSeconds = Math.round((performance.now() - started) / 1000);
log(`finished in ${totalSeconds} s, ${failures.length} scenario(s) failed`);
if (!flags.smoke) {
  const machine = {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 1e9),
    node: process.version,
    postgres: postgresVersion,
  };
  const outDir = flags.out ?? join(rig.ROOT, 'docs');
  (await import('node:fs')).mkdirSync(outDir, { recursive: true });
  const report = { results, size, machine, totalSeconds, command: `npm run bench${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}` };
  writeReport({ ...report, outDir, failures });
  // A run with --out keeps its raw results next to its report, so it does not replace the last full run's.
  const saved = flags.out ? join(outDir, 'run.json') : join(tmpdir(), 'charla-bench-last-run.json');
  writeFileSync(saved, JSON.stringify({ ...report, failures: failures.map(({ name, error }) => ({ name, message: String(error.message ?? error) })) }));
  log(`saved the raw results to ${saved} (rewrite the report with --report-from=${saved})`);
  log(`wrote ${join(outDir, 'benchmarks.md')} and benchmarks.csv`);
}
process.exit(failures.length ? 1 : 0);
