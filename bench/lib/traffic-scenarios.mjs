// Scenarios that run against the shared world: inbound ingest, live feed latency, soak, outbound pacing.
import * as rig from './rig.mjs';
import { heapAfterGc } from './inspector.mjs';
import { connectPanelSockets, connectWsClients } from './panel.mjs';
import { medianRatio, percentile, round } from './stats.mjs';
import { appPhone, barePhone, contactPhone, sendTexts } from './world.mjs';

let roundSequence = 0;
const nextTag = (label) => `${label}${(roundSequence++).toString(36)}-`;

/** Runs `runOurs` and `runBaseline` as warm-up A B, then `pairs` times A B; returns the measured pairs. */
export async function interleave(pairs, runOurs, runBaseline, log) {
  await runOurs(true);
  await runBaseline(true);
  const ours = [];
  const baseline = [];
  for (let i = 0; i < pairs; i++) {
    ours.push(await runOurs(false));
    baseline.push(await runBaseline(false));
    log(`pair ${i + 1}/${pairs}: ours ${JSON.stringify(ours.at(-1))} baseline ${JSON.stringify(baseline.at(-1))}`);
  }
  return { ours, baseline };
}

// ---------------------------------------------------------------------------------------------

export async function ingest({ world, simulator, messages, pairs, log }) {
  const accounts = world.tenants.length;
  const seen = new Map();
  let tag = '';
  let panelDuplicates = 0;
  const panels = [];
  for (const api of world.tenants) {
    panels.push(
      await connectPanelSockets(world.app.url, api.token, 1, (payload) => {
        const content = payload.message?.content ?? '';
        if (!content.startsWith(tag)) return;
        const id = payload.message.waMessageId ?? payload.message.id;
        if (seen.has(id)) panelDuplicates += 1;
        else seen.set(id, performance.now());
      }),
    );
  }

  const runOurs = async () => {
    tag = nextTag('i');
    seen.clear();
    panelDuplicates = 0;
    const simCpu = simulator.cpuSeconds();
    const appCpu = world.app.cpuSeconds();
    const started = performance.now();
    await sendTexts(simulator, { count: messages, accounts, phoneOf: appPhone, contactsPerAccount: world.contactsPerAccount, content: (i) => `${tag}${i}` });
    const sent = performance.now();
    await rig.waitUntil(() => (seen.size >= messages ? true : undefined), 120_000 + messages * 20, 'the panel to receive every message', 20).catch(() => undefined);
    const elapsed = (Math.max(...seen.values()) - started) / 1000;
    const stored = await rig.withClient(world.database.url, async (client) => (await client.query('select count(*)::int as n, count(distinct wa_message_id)::int as d from messages where content like $1', [`${tag}%`])).rows[0]);
    return {
      rate: round(seen.size / elapsed, 1),
      seconds: round(elapsed),
      simulatorAcceptRate: round(messages / ((sent - started) / 1000), 1),
      simulatorCpuShare: round((simulator.cpuSeconds() - simCpu) / elapsed),
      appCpuShare: round((world.app.cpuSeconds() - appCpu) / elapsed),
      lost: messages - stored.d,
      duplicated: stored.n - stored.d + panelDuplicates,
      emitted: seen.size,
    };
  };

  const runBaseline = async () => {
    const content = nextTag('b');
    await world.bare.call('resetCounts');
    const simCpu = simulator.cpuSeconds();
    const started = performance.now();
    await sendTexts(simulator, { count: messages, accounts, phoneOf: barePhone, contactsPerAccount: world.contactsPerAccount, content: (i) => `${content}${i}` });
    const sent = performance.now();
    const stats = await rig.waitUntil(async () => {
      const current = await world.bare.call('stats');
      return current.received >= messages ? current : undefined;
    }, 120_000 + messages * 20, 'the bare sockets to receive every message', 20);
    const elapsed = (performance.now() - started) / 1000;
    return {
      rate: round(messages / elapsed, 1),
      seconds: round(elapsed),
      simulatorAcceptRate: round(messages / ((sent - started) / 1000), 1),
      simulatorCpuShare: round((simulator.cpuSeconds() - simCpu) / elapsed),
      lost: messages - (stats.received - stats.duplicates),
      duplicated: stats.duplicates,
    };
  };

  try {
    const { ours, baseline } = await interleave(pairs, runOurs, runBaseline, log);
    const ratio = medianRatio(ours.map((r) => r.rate), baseline.map((r) => r.rate));
    const lost = ours.reduce((sum, r) => sum + r.lost, 0);
    const duplicated = ours.reduce((sum, r) => sum + r.duplicated, 0);
    return {
      key: 'ingest',
      scenario: 'Inbound ingest',
      sizes: `${accounts} sessions, ${messages} texts per round from ${accounts * world.contactsPerAccount} contacts`,
      unit: 'messages/s',
      ours: ours.map((r) => r.rate),
      baseline: baseline.map((r) => r.rate),
      ratio,
      target: '≥ 0.7 × baseline messages/s; 0 lost, 0 duplicated',
      met: ratio >= 0.7 && lost === 0 && duplicated === 0,
      details: { ours, baseline, lost, duplicated },
    };
  } finally {
    panels.forEach((panel) => panel.close());
  }
}

// ---------------------------------------------------------------------------------------------

export async function feed({ world, simulator, rate, seconds, socketsPerTenant, pairs, log }) {
  const accounts = world.tenants.length;
  const count = Math.round(rate * seconds);
  const sendAt = new Map();
  const latencies = [];
  let tag = '';
  const record = (content, receivedAt) => {
    if (!content?.startsWith(tag)) return;
    const at = sendAt.get(content);
    if (at !== undefined) latencies.push(receivedAt - at);
  };

  const panels = [];
  for (const api of world.tenants) panels.push(await connectPanelSockets(world.app.url, api.token, socketsPerTenant, (payload, at) => record(payload.message?.content, at)));
  const { port } = await world.bare.call('broadcast');
  const wsClients = [];
  for (let i = 0; i < accounts; i++) wsClients.push(await connectWsClients(port, i, socketsPerTenant, (payload, at) => record(payload.content, at)));

  /** Sends `count` texts at `rate` per second, each at its scheduled time, and collects the latencies. */
  const runRound = (phoneOf, label) => async () => {
    tag = nextTag(label);
    sendAt.clear();
    latencies.length = 0;
    const start = performance.now();
    const requests = [];
    for (let i = 0; i < count; i++) {
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await rig.sleep(wait);
      const account = i % accounts;
      const content = `${tag}${i}`;
      sendAt.set(content, performance.now());
      requests.push(simulator.control('POST', '/control/messages', { from: contactPhone(account, Math.floor(i / accounts) % world.contactsPerAccount), to: phoneOf(account), content, pushName: 'Cliente' }));
    }
    await Promise.all(requests);
    const expected = count * socketsPerTenant;
    await rig.waitUntil(() => (latencies.length >= expected ? true : undefined), 30_000, 'every panel client to receive every message', 20).catch(() => undefined);
    return { p50: round(percentile(latencies, 50), 1), p99: round(percentile(latencies, 99), 1), max: round(Math.max(...latencies), 1), received: latencies.length, expected, sendRate: round(count / ((performance.now() - start) / 1000), 1) };
  };

  try {
    const { ours, baseline } = await interleave(pairs, runRound(appPhone, 'f'), runRound(barePhone, 'w'), log);
    const ratio = medianRatio(ours.map((r) => r.p99), baseline.map((r) => r.p99));
    const oursP99 = ours.map((r) => r.p99).sort((a, b) => a - b)[Math.floor(ours.length / 2)];
    const complete = ours.every((r) => r.received === r.expected);
    return {
      key: 'feed',
      scenario: 'Live feed latency',
      sizes: `${rate} messages/s for ${seconds} s across ${accounts} tenants, ${accounts * socketsPerTenant} panel sockets (${socketsPerTenant} per tenant)`,
      unit: 'p99 ms (simulator send → panel receive)',
      ours: ours.map((r) => r.p99),
      baseline: baseline.map((r) => r.p99),
      ratio,
      target: 'p99 ≤ 100 ms; Socket.IO p99 ≤ 2 × ws',
      met: oursP99 <= 100 && ratio <= 2 && complete,
      details: { ours, baseline },
    };
  } finally {
    panels.forEach((panel) => panel.close());
    wsClients.forEach((clients) => clients.close());
  }
}

// ---------------------------------------------------------------------------------------------

export async function soak({ world, simulator, messages, step, log }) {
  const accounts = world.tenants.length;
  const tag = nextTag('s');
  const points = [];
  let sent = 0;
  const started = performance.now();
  while (sent < messages) {
    const chunk = Math.min(step, messages - sent);
    const offset = sent;
    await sendTexts(simulator, { count: chunk, accounts, phoneOf: appPhone, contactsPerAccount: world.contactsPerAccount, content: (i) => `${tag}${offset + i}` });
    sent += chunk;
    await rig.waitUntil(
      async () => rig.withClient(world.database.url, async (client) => ((await client.query('select count(*)::int as n from messages where content like $1', [`${tag}%`])).rows[0].n >= sent ? true : undefined)),
      120_000 + chunk * 20,
      `${sent} soak messages to be stored`,
      500,
    );
    const memory = await heapAfterGc(world.app.inspectorUrl);
    points.push({ messages: sent, heapUsedMb: round(memory.heapUsed / 1e6, 1), rssMb: round(memory.rss / 1e6, 1) });
    log(`soak: ${sent} messages, heap after GC ${points.at(-1).heapUsedMb} MB, RSS ${points.at(-1).rssMb} MB`);
  }
  const first = points.find((point) => point.messages >= step) ?? points[0];
  const last = points.at(-1);
  const growthPer10k = last.messages > first.messages ? ((last.heapUsedMb - first.heapUsedMb) / (last.messages - first.messages)) * 10_000 : NaN;
  return {
    key: 'soak',
    scenario: 'Soak',
    sizes: `${messages} inbound texts through ${accounts} sessions, heap read every ${step}`,
    unit: 'MB heap after GC per 10,000 messages',
    ours: [round(growthPer10k)],
    baseline: [first.heapUsedMb],
    ratio: NaN,
    target: 'heap after GC grows < 5 MB per 10,000 messages',
    met: growthPer10k < 5,
    details: { points, seconds: round((performance.now() - started) / 1000) },
  };
}

// ---------------------------------------------------------------------------------------------

/**
 * Queues replies through the API on `sessions` sessions to the contacts that wrote before and checks
 * the gaps between sends where WhatsApp sees them: the time each reply's stanza reached the simulator
 * (recorded by bench/lib/simulator-child.mjs before it acks or decrypts). The panel's first
 * `message.updated` event per reply is kept as a second reading, since it also carries the status
 * write and the emit. Then restricts one account and checks that a send to a new contact is refused
 * or failed.
 */
export async function outbound({ world, simulator, replies, sessions, sessionGapMs, chatGapMs, log }) {
  const used = Math.min(sessions, world.tenants.length);
  const leftAt = new Map();
  const waIdOf = new Map();
  const panels = [];
  for (let s = 0; s < used; s++) {
    panels.push(
      await connectPanelSockets(world.app.url, world.tenants[s].token, 1, () => undefined),
    );
  }
  // message.updated events carry the new status; the first `pending` one also carries the WhatsApp id.
  const { io } = (await import('node:module')).createRequire(import.meta.url)('socket.io-client');
  const listeners = [];
  for (let s = 0; s < used; s++) {
    const socket = io(world.app.url, { auth: { token: world.tenants[s].token }, transports: ['websocket'], reconnection: false, forceNew: true });
    socket.on('message.updated', (payload) => {
      if (payload.waMessageId && !waIdOf.has(payload.id)) waIdOf.set(payload.id, payload.waMessageId);
      if (!['pending', 'sent', 'delivered'].includes(payload.status) || leftAt.has(payload.id)) return;
      leftAt.set(payload.id, performance.now());
    });
    await new Promise((resolve) => socket.once('connect', resolve));
    listeners.push(socket);
  }

  await simulator.arrivals();
  const arrivedAt = new Map();
  const collectArrivals = async () => {
    for (const arrival of await simulator.arrivals()) if (!arrivedAt.has(arrival.id)) arrivedAt.set(arrival.id, arrival.at);
  };
  const sent = [];
  const perSession = Math.ceil(replies / used);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: used }, async (_unused, s) => {
      for (let k = 0; k < perSession && sent.length < replies; k++) {
        const chat = contactPhone(s, k % world.contactsPerAccount);
        const { body } = await world.tenants[s].request('POST', `/sessions/${world.sessionIds[s]}/messages`, { to: chat, content: `reply ${k}` });
        sent.push({ id: body.id, session: s, chat });
      }
    }),
  );
  await rig.waitUntil(async () => {
    await collectArrivals();
    return sent.every((message) => leftAt.has(message.id) && arrivedAt.has(waIdOf.get(message.id))) ? true : undefined;
  }, 60_000 + perSession * Math.max(sessionGapMs, chatGapMs) * 2, 'every reply to reach the simulator', 200).catch(() => undefined);
  const seconds = (performance.now() - started) / 1000;

  const gaps = (timeOf, groupOf) => {
    const groups = new Map();
    for (const message of sent) {
      const at = timeOf(message);
      if (at === undefined) continue;
      const key = groupOf(message);
      groups.set(key, [...(groups.get(key) ?? []), at]);
    }
    const all = [];
    for (const times of groups.values()) {
      times.sort((a, b) => a - b);
      for (let i = 1; i < times.length; i++) all.push(times[i] - times[i - 1]);
    }
    return all;
  };
  const atSimulator = (message) => arrivedAt.get(waIdOf.get(message.id));
  const atPanel = (message) => leftAt.get(message.id);
  const bySession = (message) => message.session;
  const byChat = (message) => `${message.session}/${message.chat}`;
  const sessionGaps = gaps(atSimulator, bySession);
  const chatGaps = gaps(atSimulator, byChat);
  const minSessionGap = Math.min(...sessionGaps);
  const minChatGap = Math.min(...chatGaps);
  const panelSessionGaps = gaps(atPanel, bySession);
  const left = sent.filter((message) => atSimulator(message) !== undefined).length;
  const shortSessionGaps = sessionGaps.filter((gap) => gap < sessionGapMs).length;
  const shortChatGaps = chatGaps.filter((gap) => gap < chatGapMs).length;

  // Restriction: account 0 gets `restrict`; a send to a contact that never wrote must not go out.
  await simulator.control('POST', '/control/faults', { kind: 'restrict', phoneNumber: appPhone(0) });
  const api = world.tenants[0];
  for (const phoneNumber of ['+573209990001', '+573209990002']) await simulator.control('POST', '/control/contacts', { phoneNumber, name: 'Nuevo' });
  const first = await api.request('POST', `/sessions/${world.sessionIds[0]}/messages`, { to: '+573209990001', content: 'hola' }, [201, 409]);
  const firstStatus = first.status === 409 ? 'refused' : await rig.waitUntil(async () => {
    const { body } = await api.request('GET', `/messages/${first.body.id}`);
    return ['failed', 'delivered', 'sent', 'read'].includes(body.status) ? body.status : undefined;
  }, 30_000, 'the first send to a new contact to settle', 200).catch(() => 'unsettled');
  const second = await api.request('POST', `/sessions/${world.sessionIds[0]}/messages`, { to: '+573209990002', content: 'hola' }, [201, 409]);
  await simulator.control('POST', '/control/faults/clear', { phoneNumber: appPhone(0) });
  const paused = firstStatus !== 'delivered' && firstStatus !== 'read' && second.status === 409;
  log(`outbound: ${left}/${sent.length} reached the simulator in ${round(seconds)} s, min session gap ${round(minSessionGap)} ms (${shortSessionGaps} short), min chat gap ${round(minChatGap)} ms (${shortChatGaps} short), panel-event min session gap ${round(Math.min(...panelSessionGaps))} ms, restriction: first ${firstStatus}, second ${second.status} ${second.body?.code ?? ''}`);

  panels.forEach((panel) => panel.close());
  listeners.forEach((socket) => socket.close());
  return {
    key: 'outbound',
    scenario: 'Outbound pacing',
    sizes: `${sent.length} replies over ${used} sessions to ${world.contactsPerAccount} chats each; session gap ${sessionGapMs} ms, chat gap ${chatGapMs} ms`,
    unit: 'shortest gap at the simulator, ms (session / chat)',
    ours: [round(minSessionGap), round(minChatGap)],
    baseline: [sessionGapMs, chatGapMs],
    ratio: NaN,
    target: 'no gap shorter than configured; restriction answers pause new-contact sends',
    met: left === sent.length && minSessionGap >= sessionGapMs && minChatGap >= chatGapMs && paused,
    details: {
      reachedSimulator: left,
      total: sent.length,
      seconds: round(seconds),
      sessionGapsBelowConfigured: shortSessionGaps,
      chatGapsBelowConfigured: shortChatGaps,
      sessionGapP1: round(percentile(sessionGaps, 1)),
      sessionGapMedian: round(percentile(sessionGaps, 50)),
      panelEventMinSessionGap: round(Math.min(...panelSessionGaps)),
      restriction: { firstSend: firstStatus, secondSend: second.status, secondCode: second.body?.code ?? null, paused },
    },
  };
}
