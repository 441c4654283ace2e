#!/usr/bin/env node
// Summarises what `npm run bench -- --profile=DIR` wrote: per scenario, the top self-time and
// total-time functions of the CPU profile, the time by package or folder, and the database time per
// SQL shape from bench/lib/app-probe.cjs. Usage: node bench/profile-summary.mjs DIR [top=15]
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const [dir, topArg] = process.argv.slice(2);
if (!dir) {
  process.stderr.write('Usage: node bench/profile-summary.mjs DIR [top]\n');
  process.exit(2);
}
const top = Number(topArg ?? 15);
const pct = (part, whole) => `${((100 * part) / whole).toFixed(1)}%`;
const ms = (value) => `${value.toFixed(0)} ms`;

/** Names where a frame's code lives: a package, a folder of the backend's dist, Node itself or V8. */
function areaOf(url, functionName) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const app = /backend\/dist\/([^/]+)/.exec(url);
  if (app) return `app:${app[1]}`;
  if (url.startsWith('node:')) return 'node';
  return url.replace(/^file:\/\//, '').split('/').slice(-2).join('/');
}

function summariseProfile(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const keyOf = (node) => {
    const { functionName, url, lineNumber } = node.callFrame;
    return `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*\/(node_modules|backend\/dist)\//, '$1/')}:${lineNumber + 1}` : ''}`.trim();
  };
  // Each sample lasts until the next one.
  const self = new Map();
  const total = new Map();
  const area = new Map();
  const stackKeys = new Map();
  let sampled = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const node = byId.get(profile.samples[i]);
    const name = node.callFrame.functionName;
    if (name === '(idle)') {
      idle += delta;
      continue;
    }
    sampled += delta;
    const key = keyOf(node);
    self.set(key, (self.get(key) ?? 0) + delta);
    const where = areaOf(node.callFrame.url, name);
    area.set(where, (area.get(where) ?? 0) + delta);
    let keys = stackKeys.get(node.id);
    if (!keys) {
      keys = new Set();
      for (let id = node.id; id !== undefined; id = parentOf.get(id)) keys.add(keyOf(byId.get(id)));
      stackKeys.set(node.id, keys);
    }
    for (const stackKey of keys) total.set(stackKey, (total.get(stackKey) ?? 0) + delta);
  }
  const wall = (profile.endTime - profile.startTime) / 1000;
  const lines = [`CPU profile: ${ms(wall)} wall, ${ms(sampled)} on the CPU (${pct(sampled, wall)}), ${ms(idle)} idle`];
  const list = (title, map, exclude = () => false) => {
    lines.push(`  ${title}:`);
    for (const [key, value] of [...map.entries()].filter(([key]) => !exclude(key)).sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`    ${pct(value, sampled).padStart(6)}  ${ms(value).padStart(8)}  ${key}`);
  };
  list('self time by package or folder (share of CPU time)', area);
  list('self time by function', self);
  list('total time by function (callers included once per sample)', total, (key) => key.startsWith('(root)') || key.startsWith('(program)'));
  return lines;
}

function summariseProbe(file) {
  const probe = JSON.parse(readFileSync(file, 'utf8'));
  const queries = probe.queries ?? [];
  const sum = queries.reduce((acc, q) => acc + q.totalMs, 0);
  const count = queries.reduce((acc, q) => acc + q.count, 0);
  const lines = [`Database: ${count} queries, ${ms(sum)} summed query time, at least one query in flight ${ms(probe.databaseBusyMs)} of ${ms(probe.wallMs)} (${pct(probe.databaseBusyMs, probe.wallMs)})`];
  for (const q of queries.slice(0, top)) lines.push(`    ${pct(q.totalMs, sum).padStart(6)}  ${String(q.count).padStart(7)} × ${(q.totalMs / q.count).toFixed(2).padStart(6)} ms (max ${q.maxMs.toFixed(1)})  ${q.sql.slice(0, 150)}`);
  return lines;
}

for (const name of readdirSync(dir).filter((file) => file.endsWith('.cpuprofile')).sort()) {
  const scenario = basename(name, '.cpuprofile');
  process.stdout.write(`\n## ${scenario}\n${summariseProfile(join(dir, name)).join('\n')}\n`);
  const probe = join(dir, `${scenario}-probe.json`);
  if (existsSync(probe)) process.stdout.write(`${summariseProbe(probe).join('\n')}\n`);
}
for (const name of readdirSync(dir).filter((file) => file.endsWith('-probe.json'))) {
  const scenario = basename(name, '-probe.json');
  if (!existsSync(join(dir, `${scenario}.cpuprofile`))) process.stdout.write(`\n## ${scenario}\n${summariseProbe(join(dir, name)).join('\n')}\n`);
}
