// Scenarios with their own database: memory per session and restore at boot (one fleet of linked
// sessions, restarted A B A B), storage path and the conversations API.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import * as rig from './rig.mjs';
import { median, medianRatio, percentile, round } from './stats.mjs';
import { interleave } from './traffic-scenarios.mjs';
import { profiled, profiling } from './profiler.mjs';

const require = createRequire(import.meta.url);
const fleetPhone = (i) => `+57300${String(3_000_000 + i).padStart(7, '0')}`;

/**
 * Copies the app's credential folders into Baileys' `useMultiFileAuthState` layout: the app
 * percent-encodes key ids in file names, Baileys replaces `/` with `__` and `:` with `-`.
 */
function copyAuthForBaileys(from, to) {
  rmSync(to, { recursive: true, force: true });
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    if (!name.endsWith('.json')) continue;
    const decoded = name.replace(/%([0-9a-f]{2})/g, (_match, hex) => String.fromCharCode(parseInt(hex, 16)));
    cpSync(join(from, name), join(to, decoded.replace(/\//g, '__').replace(/:/g, '-')));
  }
}

export async function memoryAndRestore({ databaseServer, simulator, sessions, pairs, settleMs, log }) {
  const SETTLE_MS = settleMs;
  const database = await rig.createDatabase(databaseServer.adminUrl, 'fleet');
  const dataDir = mkdtempSync(join(tmpdir(), 'charla-bench-fleet-'));
  const env = rig.appEnv({ databaseUrl: database.url, dataDir, simulator });
  const emptyDatabase = await rig.createDatabase(databaseServer.adminUrl, 'empty');
  const emptyDir = mkdtempSync(join(tmpdir(), 'charla-bench-empty-'));
  try {
    // The app's own footprint without sessions, subtracted to get the cost per session.
    const empty = new rig.AppProcess(rig.appEnv({ databaseUrl: emptyDatabase.url, dataDir: emptyDir, simulator }));
    await empty.start();
    await rig.sleep(SETTLE_MS);
    const emptyRss = empty.rss();
    await empty.stop();

    let app = new rig.AppProcess(env);
    await app.start();
    const api = await rig.ApiClient.login(app.url);
    const linkStarted = performance.now();
    const sessionIds = await rig.mapLimit(Array.from({ length: sessions }, (_, i) => i), 5, (i) => rig.linkSession(api, simulator, fleetPhone(i), `Fleet ${i}`));
    log(`fleet: linked ${sessions} sessions in ${round((performance.now() - linkStarted) / 1000)} s`);
    await rig.sleep(2000);
    await app.stop();
    const bareRoot = join(dataDir, 'bare');
    sessionIds.forEach((id, i) => copyAuthForBaileys(join(env.AUTH_SESSIONS_DIR, id), join(bareRoot, String(i))));

    const runOurs = async () => {
      app = new rig.AppProcess(env);
      const statuses = new Set();
      await app.start();
      const readyMs = app.readyMs;
      const connectedMs = await rig.waitUntil(async () => {
        const rows = await rig.withClient(database.url, async (client) => (await client.query('select status, count(*)::int as n from whatsapp_sessions group by status')).rows);
        rows.forEach((row) => statuses.add(row.status));
        const connected = rows.find((row) => row.status === 'connected')?.n ?? 0;
        return connected >= sessions ? performance.now() - app.startedAt : undefined;
      }, 120_000, `${sessions} sessions to reconnect`, 100);
      await rig.sleep(SETTLE_MS);
      const rss = app.rss();
      const qr = await rig.withClient(database.url, async (client) => (await client.query('select count(*)::int as n from whatsapp_sessions where qr is not null')).rows[0].n);
      await app.stop();
      return { readyMs: round(readyMs), connectedMs: round(connectedMs), rssMb: round(rss / 1e6, 1), perSessionMb: round((rss - emptyRss) / sessions / 1e6, 2), qrSessions: qr + (statuses.has('qr') ? 1 : 0) };
    };

    const runBaseline = async () => {
      const started = performance.now();
      const bare = await rig.startBareProcess(simulator);
      const idleRss = rig.rssOf(bare.pid);
      let qrs = 0;
      bare.child.on('message', (message) => {
        if (message.evt === 'qr') qrs += 1;
      });
      await bare.call('open', { dirs: sessionIds.map((_id, i) => join(bareRoot, String(i))) });
      await rig.waitUntil(() => (bare.openedAt.size >= sessions ? true : undefined), 120_000, `${sessions} bare sockets to connect`, 20);
      const connectedMs = Math.max(...bare.openedAt.values()) - (performance.timeOrigin + started);
      await rig.sleep(SETTLE_MS);
      const rss = rig.rssOf(bare.pid);
      await bare.close();
      return { connectedMs: round(connectedMs), rssMb: round(rss / 1e6, 1), perSessionMb: round((rss - idleRss) / sessions / 1e6, 2), qrs };
    };

    const { ours, baseline } = await interleave(pairs, runOurs, runBaseline, log);
    const memoryRatio = medianRatio(ours.map((r) => r.perSessionMb), baseline.map((r) => r.perSessionMb));
    const restoreRatio = medianRatio(ours.map((r) => r.connectedMs), baseline.map((r) => r.connectedMs));
    const readyMs = median(ours.map((r) => r.readyMs));
    const connectedMs = median(ours.map((r) => r.connectedMs));
    const qrs = ours.reduce((sum, r) => sum + r.qrSessions, 0);
    const sizes = `${sessions} linked idle sessions (file credentials), RSS read ${SETTLE_MS / 1000} s after the last one connected`;
    return [
      {
        key: 'memory',
        scenario: 'Memory per session',
        sizes: `${sizes}; app without sessions: ${round(emptyRss / 1e6, 1)} MB`,
        unit: 'MB RSS per session (above the idle process)',
        ours: ours.map((r) => r.perSessionMb),
        baseline: baseline.map((r) => r.perSessionMb),
        ratio: memoryRatio,
        target: '≤ 1.25 × baseline RSS per session (aim ≤ 15 MB)',
        met: memoryRatio <= 1.25,
        details: { ours, baseline, emptyAppRssMb: round(emptyRss / 1e6, 1) },
      },
      {
        key: 'restore',
        scenario: 'Restore at boot',
        sizes,
        unit: 'ms from process start to all connected',
        ours: ours.map((r) => r.connectedMs),
        baseline: baseline.map((r) => r.connectedMs),
        ratio: restoreRatio,
        target: 'HTTP ready ≤ 5 s; all connected ≤ 30 s and ≤ 3 × baseline; 0 QR requests',
        met: readyMs <= 5000 && connectedMs <= 30_000 && restoreRatio <= 3 && qrs === 0,
        details: { ours, baseline, medianReadyMs: readyMs, medianConnectedMs: connectedMs, qrSessions: qrs },
      },
    ];
  } finally {
    await database.drop();
    await emptyDatabase.drop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(emptyDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------

/** Creates a tenant, a session and `conversations` contacts with one conversation each, with SQL. */
async function seedTenant(client, conversations) {
  const tenantId = randomUUID();
  const sessionId = randomUUID();
  await client.query(`insert into tenants (id, name) values ($1, 'Storage bench')`, [tenantId]);
  await client.query(`insert into whatsapp_sessions (id, tenant_id, name) values ($1, $2, 'Storage bench')`, [sessionId, tenantId]);
  await client.query(
    `insert into contacts (id, tenant_id, jid, phone_number, name)
     select gen_random_uuid(), $1, '57311' || lpad(g::text, 7, '0') || '@s.whatsapp.net', '+57311' || lpad(g::text, 7, '0'), 'Contact ' || g
     from generate_series(1, $2) g`,
    [tenantId, conversations],
  );
  await client.query(
    `insert into conversations (id, tenant_id, session_id, contact_id, chat_jid)
     select gen_random_uuid(), tenant_id, $2, id, jid from contacts where tenant_id = $1`,
    [tenantId, sessionId],
  );
  const { rows } = await client.query(`select c.id, c.contact_id, c.chat_jid, ct.phone_number from conversations c join contacts ct on ct.id = c.contact_id where c.tenant_id = $1 order by ct.jid`, [tenantId]);
  return { tenantId, sessionId, conversations: rows };
}

/**
 * Our persistence (MessagesRepository in the transaction that the inbound handler runs per message:
 * contact upsert, conversation upsert, message insert, conversation update and read-back) against
 * raw `pg` batched `INSERT … ON CONFLICT DO NOTHING` of the same rows.
 */
export async function storage({ databaseServer, rows, batch, pairs, log }) {
  const database = await rig.createDatabase(databaseServer.adminUrl, 'storage');
  const previousCwd = process.cwd();
  process.chdir(rig.BACKEND_DIR);
  const { MikroORM } = createRequire(join(rig.BACKEND_DIR, 'package.json'))('@mikro-orm/postgresql');
  const { mikroOrmOptions } = require(join(rig.BACKEND_DIR, 'dist/database/mikro-orm.options.js'));
  const { MessagesRepository } = require(join(rig.BACKEND_DIR, 'dist/messages/messages.repository.js'));
  const { runInTenant } = require(join(rig.BACKEND_DIR, 'dist/common/tenant-context.js'));
  const orm = await MikroORM.init({ ...mikroOrmOptions(database.url), logger: () => undefined });
  process.chdir(previousCwd);
  await orm.getMigrator().up();
  const repository = new MessagesRepository();
  const pool = new (require('pg').Pool)({ connectionString: database.url, max: 10 });

  try {
    const seed = await rig.withClient(database.url, (client) => seedTenant(client, 100));
    const rowsOf = (tag) =>
      Array.from({ length: rows }, (_, i) => {
        const conversation = seed.conversations[i % seed.conversations.length];
        return { conversation, waMessageId: `${tag}${i}`, content: `storage ${tag} ${i}`, timestamp: new Date(Date.now() - (rows - i) * 1000) };
      });

    let sequence = 0;
    const runOurs = async () => {
      const tag = `o${sequence++}-`;
      const messages = rowsOf(tag);
      const started = performance.now();
      // The app stores one message at a time per session, so 10 concurrent writers stand for 10 busy sessions.
      await rig.mapLimit(messages, 10, async (message) => {
        // The app writes in the tenant's scope, which the repository's statements take their tenant from.
        await runInTenant(seed.tenantId, () => orm.em.fork().transactional(async (em) => {
          const contactId = await repository.upsertContact(em, seed.tenantId, message.conversation.chat_jid, message.conversation.phone_number, 'Cliente', null);
          const conversationId = await repository.upsertConversation(em, seed.tenantId, seed.sessionId, contactId, message.conversation.chat_jid);
          const row = await repository.insertMessage(em, {
            tenantId: seed.tenantId, sessionId: seed.sessionId, conversationId, chatJid: message.conversation.chat_jid, waMessageId: message.waMessageId,
            direction: 'in', type: 'text', content: message.content, status: 'received', senderName: 'Cliente', timestamp: message.timestamp, source: 'live',
          });
          if (row) await repository.touchConversation(em, seed.tenantId, conversationId, message.timestamp, message.content, true);
        }));
      });
      return round(rows / ((performance.now() - started) / 1000), 1);
    };

    const runBaseline = async () => {
      const tag = `r${sequence++}-`;
      const messages = rowsOf(tag);
      const started = performance.now();
      const batches = [];
      for (let i = 0; i < messages.length; i += batch) batches.push(messages.slice(i, i + batch));
      await rig.mapLimit(batches, 10, async (chunk) => {
        const values = [];
        const params = [];
        for (const message of chunk) {
          const base = params.length;
          params.push(randomUUID(), seed.tenantId, seed.sessionId, message.conversation.id, message.conversation.chat_jid, message.waMessageId, message.content, 'Cliente', message.timestamp);
          values.push(`($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}, $${base + 5}, $${base + 6}, 'in', 'text', $${base + 7}, 'received', $${base + 8}, $${base + 9})`);
        }
        await pool.query(
          `insert into messages (id, tenant_id, session_id, conversation_id, chat_jid, wa_message_id, direction, type, content, status, sender_name, timestamp)
           values ${values.join(', ')} on conflict do nothing`,
          params,
        );
      });
      return round(rows / ((performance.now() - started) / 1000), 1);
    };

    // Storage runs in this process: with --profile, run.mjs itself is started with --cpu-prof and the probe.
    globalThis.__benchProbe?.reset();
    const { ours, baseline } = await interleave(pairs, runOurs, runBaseline, log);
    if (profiling.dir && globalThis.__benchProbe) (await import('node:fs')).writeFileSync(join(profiling.dir, 'storage-probe.json'), globalThis.__benchProbe.dump());
    const ratio = medianRatio(ours, baseline);
    return {
      key: 'storage',
      scenario: 'Storage path',
      sizes: `${rows} text rows per round across 100 conversations; ours 10 concurrent transactions, raw batches of ${batch} rows, 10 concurrent`,
      unit: 'rows/s',
      ours,
      baseline,
      ratio,
      target: '≥ 0.5 × raw rows/s',
      met: ratio >= 0.5,
      details: {},
    };
  } finally {
    await pool.end();
    await orm.close(true);
    await database.drop();
  }
}

// ---------------------------------------------------------------------------------------------

/** Times GET /api/conversations and a thread against the same queries sent as bare SQL. */
export async function conversations({ databaseServer, simulator, messages, conversationCount, requests, pairs, log }) {
  const database = await rig.createDatabase(databaseServer.adminUrl, 'conversations');
  const dataDir = mkdtempSync(join(tmpdir(), 'charla-bench-conversations-'));
  const app = new rig.AppProcess(rig.appEnv({ databaseUrl: database.url, dataDir, simulator }));
  await app.start();
  const client = new (require('pg').Client)({ connectionString: database.url });
  await client.connect();
  try {
    const api = await rig.ApiClient.login(app.url);
    const { body: session } = await api.request('POST', '/sessions', { name: 'Conversations bench' });
    const tenantId = (await client.query('select tenant_id from whatsapp_sessions where id = $1', [session.id])).rows[0].tenant_id;
    const seedStarted = performance.now();
    await client.query(
      `insert into contacts (id, tenant_id, jid, phone_number, name)
       select gen_random_uuid(), $1, '57312' || lpad(g::text, 7, '0') || '@s.whatsapp.net', '+57312' || lpad(g::text, 7, '0'), 'Contact ' || g from generate_series(1, $2) g`,
      [tenantId, conversationCount],
    );
    await client.query(`insert into conversations (id, tenant_id, session_id, contact_id, chat_jid) select gen_random_uuid(), tenant_id, $2, id, jid from contacts where tenant_id = $1`, [tenantId, session.id]);
    await client.query(
      `insert into messages (id, tenant_id, session_id, conversation_id, chat_jid, wa_message_id, direction, type, content, status, sender_name, timestamp)
       select gen_random_uuid(), c.tenant_id, c.session_id, c.id, c.chat_jid, 'seed' || g, case when g % 3 = 0 then 'out' else 'in' end, 'text',
              'message ' || g, case when g % 3 = 0 then 'delivered' else 'received' end, 'Cliente', now() - (g || ' seconds')::interval
       from generate_series(1, $2) g
       join (select id, tenant_id, session_id, chat_jid, row_number() over (order by id) - 1 as n from conversations where tenant_id = $1) c on c.n = g % $3`,
      [tenantId, messages, conversationCount],
    );
    await client.query(
      `update conversations c set last_message_at = m.last, last_message_preview = 'message', unread_count = 1
       from (select conversation_id, max(timestamp) as last from messages where tenant_id = $1 group by conversation_id) m where m.conversation_id = c.id`,
      [tenantId],
    );
    await client.query('analyze');
    log(`conversations: seeded ${messages} messages in ${conversationCount} conversations in ${round((performance.now() - seedStarted) / 1000)} s`);
    const threads = (await client.query('select id from conversations where tenant_id = $1 order by random() limit 50', [tenantId])).rows.map((row) => row.id);

    const timeAll = async (task) => {
      const times = [];
      for (let i = 0; i < requests; i++) {
        const started = performance.now();
        await task(i);
        times.push(performance.now() - started);
      }
      return times;
    };
    const conversationSql = `select c.id, c.session_id, c.last_message_at, c.last_message_preview, c.unread_count, c.group_jid, c.group_name,
              ct.id as contact_id, ct.name as contact_name, ct.phone_number as contact_phone_number
       from conversations c left join contacts ct on ct.id = c.contact_id where c.tenant_id = $1 order by c.last_message_at desc nulls last, c.id limit 25 offset 0`;
    const threadSql = `select m.id, m.session_id, m.conversation_id, m.wa_message_id, m.direction, m.type, m.content, m.status, m.error, m.timestamp, m.sender_name,
              m.data, m.quoted_message_id, m.reactions, m.edited_at, m.deleted_at, m.sender_jid
       from messages m where m.tenant_id = $1 and m.type <> 'reaction' and m.conversation_id = $2 order by m.timestamp asc, m.created_at asc limit 25 offset 0`;

    const runOurs = async () => {
      const list = await timeAll(() => api.request('GET', '/conversations'));
      const thread = await timeAll((i) => api.request('GET', `/conversations/${threads[i % threads.length]}/messages`));
      return { listP95: round(percentile(list, 95)), threadP95: round(percentile(thread, 95)) };
    };
    const runBaseline = async () => {
      const list = await timeAll(async () => {
        await client.query(conversationSql, [tenantId]);
        await client.query('select count(*) from conversations c left join contacts ct on ct.id = c.contact_id where c.tenant_id = $1', [tenantId]);
      });
      const thread = await timeAll(async (i) => {
        await client.query('select id from conversations where id = $1 and tenant_id = $2', [threads[i % threads.length], tenantId]);
        await client.query(threadSql, [tenantId, threads[i % threads.length]]);
        await client.query(`select count(*) from messages m where m.tenant_id = $1 and m.type <> 'reaction' and m.conversation_id = $2`, [tenantId, threads[i % threads.length]]);
      });
      return { listP95: round(percentile(list, 95)), threadP95: round(percentile(thread, 95)) };
    };

    const { ours, baseline } = await profiled(app, 'conversations', () => interleave(pairs, runOurs, runBaseline, log));
    const listRatio = medianRatio(ours.map((r) => r.listP95), baseline.map((r) => r.listP95));
    const threadRatio = medianRatio(ours.map((r) => r.threadP95), baseline.map((r) => r.threadP95));
    const listP95 = median(ours.map((r) => r.listP95));
    const threadP95 = median(ours.map((r) => r.threadP95));
    const sizes = `${messages} messages in ${conversationCount} conversations; ${requests} sequential requests per round, first page (25 rows)`;
    return [
      { key: 'conversations-list', scenario: 'Conversations API: list', sizes, unit: 'p95 ms', ours: ours.map((r) => r.listP95), baseline: baseline.map((r) => r.listP95), ratio: listRatio, target: 'p95 ≤ 30 ms, ≤ 2 × bare SQL', met: listP95 <= 30 && listRatio <= 2, details: {} },
      { key: 'conversations-thread', scenario: 'Conversations API: thread', sizes, unit: 'p95 ms', ours: ours.map((r) => r.threadP95), baseline: baseline.map((r) => r.threadP95), ratio: threadRatio, target: 'p95 ≤ 30 ms, ≤ 2 × bare SQL', met: threadP95 <= 30 && threadRatio <= 2, details: {} },
    ];
  } finally {
    await client.end();
    await app.stop();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
