// Preloaded into a process the benchmark profiles (`node --require bench/lib/app-probe.cjs`), never in
// production: times every PostgreSQL query per SQL shape and every ConnectionManager.send hand-off.
// The figures live in globalThis.__benchProbe; bench/lib/profiler.mjs reads and resets them over the
// inspector. Both copies of `pg` (MikroORM's own and the hoisted one) are wrapped.
'use strict';
const Module = require('node:module');
const path = require('node:path');

const shapes = new Map();
const handoffs = [];
let inFlight = 0;
let busySince = 0;
let busyMs = 0;
let since = performance.now();

const shapeOf = (text) =>
  String(text)
    .replace(/\s+/g, ' ')
    .replace(/'(?:[^']|'')*'/g, "'?'")
    .replace(/\$\d+(?:\s*,\s*\$\d+)*/g, '$n')
    .replace(/\((?:\s*\$n\s*,?)+\)(?:\s*,\s*\((?:\s*\$n\s*,?)+\))+/g, '($n), …')
    .replace(/\b\d+\b/g, 'N')
    .trim()
    .slice(0, 240);

function record(text, started) {
  const ms = performance.now() - started;
  inFlight -= 1;
  if (inFlight === 0) busyMs += performance.now() - busySince;
  const key = shapeOf(text);
  const entry = shapes.get(key) ?? { count: 0, totalMs: 0, maxMs: 0 };
  entry.count += 1;
  entry.totalMs += ms;
  entry.maxMs = Math.max(entry.maxMs, ms);
  shapes.set(key, entry);
}

function wrapPg(pg) {
  const proto = pg.Client.prototype;
  if (proto.__benchWrapped) return;
  proto.__benchWrapped = true;
  const query = proto.query;
  proto.query = function benchQuery(config, values, callback) {
    const text = typeof config === 'string' ? config : config?.text;
    const started = performance.now();
    if (inFlight === 0) busySince = started;
    inFlight += 1;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      record(text, started);
    };
    let cb;
    if (typeof callback === 'function') cb = callback;
    else if (typeof values === 'function') cb = values;
    else if (typeof config?.callback === 'function') cb = config.callback;
    if (cb) {
      const wrapped = function (...args) {
        finish();
        return cb.apply(this, args);
      };
      if (typeof callback === 'function') return query.call(this, config, values, wrapped);
      if (typeof values === 'function') return query.call(this, config, wrapped);
      config.callback = wrapped;
      return query.call(this, config, values);
    }
    const result = query.call(this, config, values, callback);
    if (result && typeof result.then === 'function') result.then(finish, finish);
    else finish();
    return result;
  };
}

for (const from of [process.cwd(), path.dirname(require.resolve('@mikro-orm/postgresql/package.json', { paths: [process.cwd()] }))]) {
  try {
    wrapPg(require(require.resolve('pg', { paths: [from] })));
  } catch {
    // No copy of pg from there.
  }
}

// ConnectionManager.send is where the outbox hands a message to Baileys.
const load = Module._load;
Module._load = function benchLoad(request, parent, isMain) {
  const exports = load.apply(this, arguments);
  if (request.endsWith('connection-manager.service') && exports?.ConnectionManager && !exports.ConnectionManager.prototype.__benchWrapped) {
    const proto = exports.ConnectionManager.prototype;
    proto.__benchWrapped = true;
    const send = proto.send;
    proto.send = function benchSend(sessionId, jid, content, messageId, quoted) {
      handoffs.push({ sessionId, jid, messageId, at: performance.timeOrigin + performance.now() });
      return send.call(this, sessionId, jid, content, messageId, quoted);
    };
  }
  return exports;
};

globalThis.__benchProbe = {
  reset() {
    shapes.clear();
    handoffs.length = 0;
    busyMs = 0;
    since = performance.now();
    if (inFlight > 0) busySince = since;
  },
  dump() {
    const now = performance.now();
    const busy = busyMs + (inFlight > 0 ? now - busySince : 0);
    return JSON.stringify({
      wallMs: now - since,
      databaseBusyMs: busy,
      queries: [...shapes.entries()].map(([sql, entry]) => ({ sql, ...entry })).sort((a, b) => b.totalMs - a.totalMs),
      handoffs,
    });
  },
};
