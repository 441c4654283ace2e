import request from 'supertest';
import type { RunningServer } from '../../src/bootstrap';
import { localTime, WEEKDAYS } from '../../src/settings/opening-hours';
import { FakeModelServer } from '../setup/fake-model-server';
import { linkNewSession, waitForInbox } from '../setup/flows';
import { startTestSimulator } from '../setup/simulator';
import { createTestEnvironment, eventually, FeedClient, login, startTestServer, TestEnvironment } from '../setup/test-app';
import { withClient } from '../setup/test-database';
import { verifyWebhookSignature } from '../../src/webhooks/webhook-signature';

const BUSINESS = '+573000000081';
const API_KEY = 'sk-test-charla-0123456789';

describe('Automatic replies: hook chain, LLM providers and safety limits', () => {
  let environment: TestEnvironment;
  let simulator: Awaited<ReturnType<typeof startTestSimulator>>;
  let server: RunningServer;
  let token: string;
  let feed: FeedClient;
  let model: FakeModelServer;
  let modelUrl: string;
  let nextCustomer = 10;
  const auth = () => ({ Authorization: `Bearer ${token}` });
  const api = () => request(server.url);

  beforeAll(async () => {
    model = new FakeModelServer();
    modelUrl = await model.start();
    simulator = await startTestSimulator();
    environment = await createTestEnvironment({
      SIMULATOR_URL: simulator.simulator.controlUrl,
      ALLOW_PRIVATE_NETWORK_URLS: 'true',
      HOOK_POLL_INTERVAL_MS: '200',
      HOOK_RETRY_BASE_DELAY_MS: '300',
      HOOK_MAX_ATTEMPTS: '2',
      OUTBOX_SESSION_GAP_MS: '50',
      OUTBOX_CHAT_GAP_MS: '100',
      OUTBOX_JITTER_MS: '0',
    });
    server = await startTestServer(environment);
    token = await login(server);
    feed = new FeedClient(server.url, token);
    await feed.connected();
    await linkNewSession(server, token, feed, BUSINESS);

    await api()
      .patch('/api/settings')
      .set(auth())
      .send({ name: 'Panadería La Espiga', businessDescription: 'Panadería de barrio con tortas por encargo.', businessAddress: 'Calle 10 # 4-21, Bogotá' })
      .expect(200);
    await api().post('/api/products').set(auth()).send({ name: 'Torta de chocolate', price: 85000, sku: 'TORTA-CHOC', stock: 4, description: 'Para 12 porciones' }).expect(201);
    await api().post('/api/products').set(auth()).send({ name: 'Pan de bono', price: 2500, sku: 'PAN-BONO' }).expect(201);
    await api().post('/api/products').set(auth()).send({ name: 'Producto retirado', price: 999, sku: 'OLD-1', active: false }).expect(201);
  });

  afterAll(async () => {
    feed?.close();
    await server?.close();
    await simulator?.stop();
    await model?.stop();
    await environment?.cleanup();
  });

  /** A fresh customer phone per test, so conversations and hourly limits do not mix. */
  function newCustomer(): string {
    nextCustomer += 1;
    return `+5730000002${String(nextCustomer).padStart(2, '0')}`;
  }

  async function configure(settings: Record<string, unknown>): Promise<any> {
    const response = await api().put('/api/automation').set(auth()).send(settings);
    if (response.status !== 200) throw new Error(`PUT /api/automation failed with ${response.status}: ${JSON.stringify(response.body)}`);
    return response.body;
  }

  function llmSettings(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      provider: 'openai',
      baseUrl: `${modelUrl}/v1`,
      model: 'gpt-fake',
      systemPrompt: 'Eres el asistente de la panadería.',
      temperature: 0.2,
      maxTokens: 200,
      monthlyTokenBudget: 0,
      historyMessages: 20,
      timeoutMs: 2000,
      ...overrides,
    };
  }

  /** The customer writes; resolves with the stored inbound message. */
  async function customerSends(from: string, body: Record<string, unknown>): Promise<any> {
    const sent = await api().post('/api/sandbox/messages').set(auth()).send({ from, to: BUSINESS, pushName: 'Ana', ...body }).expect(201);
    return eventually(async () => {
      const messages = await api().get('/api/messages').query({ range: '[0,499]', filter: JSON.stringify({ direction: 'in' }) }).set(auth()).expect(200);
      return messages.body.find((message: { waMessageId: string }) => message.waMessageId === sent.body.waMessageId);
    });
  }

  /** Waits until the hook job of a message has finished, and returns it. */
  async function finishedJob(messageId: string, timeoutMs = 20_000): Promise<any> {
    return eventually(async () => {
      const { rows } = await withClient(environment.database.url, (client) => client.query('select status, attempts, outcome, last_error from hook_jobs where message_id = $1', [messageId]));
      return rows[0] && ['done', 'skipped', 'failed'].includes(rows[0].status) ? rows[0] : undefined;
    }, timeoutMs);
  }

  async function automaticReplies(conversationId: string): Promise<any[]> {
    const { rows } = await withClient(environment.database.url, (client) =>
      client.query(`select content, data from messages where conversation_id = $1 and direction = 'out' and data -> 'automation' is not null order by created_at`, [conversationId]),
    );
    return rows;
  }

  describe('catalog', () => {
    it('updates one product field and validates it', async () => {
      const created = await api().post('/api/products').set(auth()).send({ name: 'Galletas', price: 1200 }).expect(201);

      const updated = await api().patch(`/api/products/${created.body.id}`).set(auth()).send({ price: 1500 }).expect(200);
      expect(updated.body).toMatchObject({ name: 'Galletas', price: 1500 });

      const empty = await api().patch(`/api/products/${created.body.id}`).set(auth()).send({ name: '  ' }).expect(400);
      expect(empty.body.errors[0].field).toBe('name');
      const negative = await api().put(`/api/products/${created.body.id}`).set(auth()).send({ ...updated.body, price: -1 }).expect(400);
      expect(negative.body.errors[0].field).toBe('price');
      await api().delete(`/api/products/${created.body.id}`).set(auth()).expect((response) => expect([200, 204]).toContain(response.status));
    });
  });

  describe('LLM hook', () => {
    it('answers through OpenAI with the catalog and the history', async () => {
      await configure({ enabled: true, chain: ['llm'], llm: { ...llmSettings(), apiKey: API_KEY } });
      const customer = newCustomer();
      model.mode = 'ok';
      model.reply = 'Hola Ana, la torta de chocolate cuesta $85.000.';

      const first = await customerSends(customer, { content: 'Hola, buenas tardes' });
      await waitForInbox(server, token, customer, (entries) => entries.some((entry) => entry.content === model.reply));
      await finishedJob(first.id);
      const before = model.requestsTo('/v1/chat/completions').length;

      model.reply = 'Sí, tenemos pan de bono a $2.500.';
      const second = await customerSends(customer, { content: '¿Tienen pan de bono?' });
      await waitForInbox(server, token, customer, (entries) => entries.some((entry) => entry.content === 'Sí, tenemos pan de bono a $2.500.'));
      expect((await finishedJob(second.id)).status).toBe('done');

      const sentToModel = model.requestsTo('/v1/chat/completions').slice(before);
      expect(sentToModel).toHaveLength(1);
      const { body, headers } = sentToModel[0];
      expect(headers.authorization).toBe(`Bearer ${API_KEY}`);
      expect(body.model).toBe('gpt-fake');
      const system = body.messages[0];
      expect(system.role).toBe('system');
      expect(system.content).toContain('Eres el asistente de la panadería.');
      expect(system.content).toContain('Torta de chocolate');
      expect(system.content).toContain('price 85000 COP');
      expect(system.content).toContain('Pan de bono');
      expect(system.content).not.toContain('Producto retirado');
      expect(system.content).toContain('Calle 10 # 4-21');
      const turns = body.messages.slice(1);
      expect(turns).toEqual([
        { role: 'user', content: 'Hola, buenas tardes' },
        { role: 'assistant', content: 'Hola Ana, la torta de chocolate cuesta $85.000.' },
        { role: 'user', content: '¿Tienen pan de bono?' },
      ]);

      const replies = await automaticReplies(first.conversationId);
      expect(replies).toHaveLength(2);
      expect(replies[0].data.automation).toMatchObject({ hook: 'llm', provider: 'openai', inReplyTo: first.id });
    });

    it('answers through Anthropic with the catalog and the history', async () => {
      await configure({ enabled: true, chain: ['llm'], llm: { ...llmSettings({ provider: 'anthropic', baseUrl: modelUrl, model: 'claude-fake' }), apiKey: API_KEY } });
      const customer = newCustomer();
      model.mode = 'ok';
      model.reply = 'Claro, abrimos a las 7.';

      const first = await customerSends(customer, { content: 'Buenos días' });
      await waitForInbox(server, token, customer, (entries) => entries.some((entry) => entry.content === 'Claro, abrimos a las 7.'));
      await finishedJob(first.id);
      const before = model.requestsTo('/v1/messages').length;

      model.reply = 'La torta de chocolate cuesta $85.000.';
      await customerSends(customer, { content: '¿Cuánto vale la torta?' });
      await waitForInbox(server, token, customer, (entries) => entries.some((entry) => entry.content === 'La torta de chocolate cuesta $85.000.'));

      const { body, headers } = model.requestsTo('/v1/messages')[before];
      // @anthropic-ai/sdk 1.17.0 sends the API key as a bearer token.
      expect(headers.authorization).toBe(`Bearer ${API_KEY}`);
      expect(body.model).toBe('claude-fake');
      expect(body.system).toContain('Torta de chocolate');
      expect(body.system).toContain('price 2500 COP');
      expect(body.messages).toEqual([
        { role: 'user', content: 'Buenos días' },
        { role: 'assistant', content: 'Claro, abrimos a las 7.' },
        { role: 'user', content: '¿Cuánto vale la torta?' },
      ]);
    });

    it('does not send a reply with a price outside the catalog', async () => {
      await configure({ enabled: true, chain: ['llm'], llm: llmSettings() });
      const customer = newCustomer();
      model.mode = 'ok';
      model.reply = 'El pastel de fresa cuesta $41.900.';

      const message = await customerSends(customer, { content: '¿Tienen pastel de fresa?' });
      const job = await finishedJob(message.id);
      expect(job.status).toBe('skipped');
      expect(await automaticReplies(message.conversationId)).toHaveLength(0);
    });

    it('keeps the API key out of every response and the database in clear', async () => {
      const view = await api().get('/api/automation').set(auth()).expect(200);
      expect(view.body.llm.hasApiKey).toBe(true);
      expect(JSON.stringify(view.body)).not.toContain(API_KEY);
      expect(view.body.llm.tokensThisMonth).toBeGreaterThan(0);

      const { rows } = await withClient(environment.database.url, (client) => client.query('select settings::text as settings, llm_api_key_ciphertext from hook_settings'));
      expect(rows[0].settings).not.toContain(API_KEY);
      expect(rows[0].llm_api_key_ciphertext.toString('utf8')).not.toContain(API_KEY);
    });

    it.each([
      ['an HTTP 500', 'fail' as const],
      ['a timeout', 'hang' as const],
    ])('stores the message at once, retries and gives up after %s', async (_name, mode) => {
      await configure({ enabled: true, chain: ['llm'], llm: llmSettings({ timeoutMs: 1000 }) });
      const customer = newCustomer();
      model.mode = mode;
      const before = model.requestsTo('/v1/chat/completions').length;

      const message = await customerSends(customer, { content: `Hola, ¿me ayudan? (${mode})` });
      expect(message.content).toBe(`Hola, ¿me ayudan? (${mode})`);
      // The message was stored while the model had not answered it yet.
      const { rows } = await withClient(environment.database.url, (client) => client.query('select status from hook_jobs where message_id = $1', [message.id]));
      expect(rows[0]?.status ?? 'pending').not.toBe('done');

      const job = await finishedJob(message.id, 30_000);
      expect(job.status).toBe('failed');
      expect(job.attempts).toBe(2);
      expect(model.requestsTo('/v1/chat/completions').length - before).toBe(2);
      expect(environment.logs.text()).toContain('Gave up on the automatic reply after 2 attempts');
      expect(await automaticReplies(message.conversationId)).toHaveLength(0);
      model.mode = 'ok';
    });
  });

  describe('webhook hook', () => {
    const SECRET = 'whsec-charla-hook-0123456789';

    it('signs requests with the stored secret', async () => {
      const saved = await configure({ enabled: true, chain: ['webhook'], webhook: { url: `${modelUrl}/hook`, secret: SECRET } });
      model.mode = 'ok';
      model.reply = 'Respuesta desde el webhook.';

      const answer = await api().post('/api/automation/preview').set(auth()).send({ message: '¿Tienen pan de bono?' }).expect(200);

      expect(answer.body).toMatchObject({ action: 'reply', hook: 'webhook', text: 'Respuesta desde el webhook.' });
      const [received] = model.requestsTo('/hook').slice(-1);
      expect(received.body.message).toEqual({ type: 'text', content: '¿Tienen pan de bono?' });
      expect(verifyWebhookSignature(SECRET, String(received.headers['x-charla-timestamp']), received.rawBody, String(received.headers['x-charla-signature']))).toBe(true);
      expect(saved.webhook).toEqual({ url: `${modelUrl}/hook`, timeoutMs: 10_000, hasSecret: true });
      const view = await api().get('/api/automation').set(auth()).expect(200);
      expect(JSON.stringify(view.body)).not.toContain(SECRET);
      const { rows } = await withClient(environment.database.url, (client) => client.query('select settings::text as settings, webhook_secret_ciphertext from hook_settings'));
      expect(rows[0].settings).not.toContain(SECRET);
      expect(rows[0].webhook_secret_ciphertext.toString('utf8')).not.toContain(SECRET);
    });

    it('sends unsigned requests once the secret is removed', async () => {
      const saved = await configure({ webhook: { secret: null } });

      await api().post('/api/automation/preview').set(auth()).send({ message: 'Hola' }).expect(200);

      expect(saved.webhook.hasSecret).toBe(false);
      const [received] = model.requestsTo('/hook').slice(-1);
      expect(received.headers['x-charla-signature']).toBeUndefined();
    });

    it('rejects a secret shorter than 16 characters', async () => {
      const response = await api().patch('/api/automation').set(auth()).send({ webhook: { secret: 'corto' } }).expect(400);

      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(response.body.message).toContain('secret must be at least 16 characters');
    });
  });

  describe('rules, handoff and limits', () => {
    const rules = {
      catalogKeywords: ['catálogo', 'precios'],
      rules: [
        { match: 'contains', pattern: 'horario', reply: 'Abrimos de lunes a sábado de 7 a 19.' },
        { match: 'regex', pattern: '^hola\\b', reply: '¡Hola! ¿En qué te ayudamos?' },
      ],
    };

    it('answers keyword and pattern rules and sends the catalog', async () => {
      await configure({ enabled: true, chain: ['rules'], rules, businessHours: { enabled: false, outOfHoursReply: 'Cerrado.' } });
      const customer = newCustomer();

      await customerSends(customer, { content: '¿Cuál es el HORARIO?' });
      await waitForInbox(server, token, customer, (entries) => entries.some((entry) => entry.content === 'Abrimos de lunes a sábado de 7 a 19.'));
      await customerSends(customer, { content: 'hola' });
      await waitForInbox(server, token, customer, (entries) => entries.some((entry) => entry.content === '¡Hola! ¿En qué te ayudamos?'));
      await customerSends(customer, { content: 'Me pasas el catalogo?' });
      const inbox = await waitForInbox(server, token, customer, (entries) => entries.some((entry) => String(entry.content).includes('*Torta de chocolate*')));

      const catalog = inbox.find((entry) => String(entry.content).includes('*Torta de chocolate*')).content as string;
      expect(catalog).toContain('*Pan de bono*');
      expect(catalog).toContain('85.000');
      expect(catalog).not.toContain('Producto retirado');
    });

    it('hands off on the handoff phrase until an agent turns the bot back on', async () => {
      await configure({ enabled: true, chain: ['rules'], rules });
      const customer = newCustomer();

      const handoff = await customerSends(customer, { content: 'Quiero HABLAR con un asesor, por favor' });
      const conversationId = handoff.conversationId;
      await feed.waitFor('conversation.handoff', (payload) => payload.conversationId === conversationId && payload.reason === 'customer_request');
      await waitForInbox(server, token, customer, (entries) => entries.some((entry) => String(entry.content).startsWith('Te comunico con un asesor')));
      expect((await api().get(`/api/conversations/${conversationId}/automation`).set(auth()).expect(200)).body.mode).toBe('human');

      const ignored = await customerSends(customer, { content: 'hola' });
      expect((await finishedJob(ignored.id)).outcome).toEqual({ reason: 'human_mode' });
      expect(await automaticReplies(conversationId)).toHaveLength(1);

      await api().post('/api/users').set(auth()).send({ email: 'agente@charla.test', name: 'Agente', password: 'agent-password-1', role: 'agent' }).expect(201);
      const agentToken = await login(server, 'agente@charla.test', 'agent-password-1');
      await api().put('/api/automation').set({ Authorization: `Bearer ${agentToken}` }).send({ enabled: false }).expect(403);
      const resumed = await api().put(`/api/conversations/${conversationId}/automation`).set({ Authorization: `Bearer ${agentToken}` }).send({ mode: 'bot' }).expect(200);
      expect(resumed.body.mode).toBe('bot');

      await customerSends(customer, { content: 'hola de nuevo' });
      await waitForInbox(server, token, customer, (entries) => entries.some((entry) => entry.content === '¡Hola! ¿En qué te ayudamos?'));
    });

    it('sends the out-of-hours message once outside the opening hours', async () => {
      const today = localTime(new Date(), 'America/Bogota').weekday;
      const otherDay = WEEKDAYS.find((day) => day !== today)!;
      await api().patch('/api/settings').set(auth()).send({ timeZone: 'America/Bogota', openingHours: { [otherDay]: [{ open: '00:00', close: '23:59' }] } }).expect(200);
      await configure({ enabled: true, chain: ['rules'], rules, businessHours: { enabled: true, outOfHoursReply: 'Estamos cerrados; te respondemos mañana.' } });
      const customer = newCustomer();

      const first = await customerSends(customer, { content: 'hola' });
      await waitForInbox(server, token, customer, (entries) => entries.some((entry) => entry.content === 'Estamos cerrados; te respondemos mañana.'));
      const second = await customerSends(customer, { content: '¿horario?' });
      expect((await finishedJob(second.id)).outcome).toEqual({ reason: 'out_of_hours_already_told' });
      expect(await automaticReplies(first.conversationId)).toHaveLength(1);

      await api().patch('/api/settings').set(auth()).send({ openingHours: {} }).expect(200);
      await configure({ businessHours: { enabled: false, outOfHoursReply: 'Cerrado.' } });
    });

    it('caps automatic replies per conversation per hour', async () => {
      await configure({ enabled: true, chain: ['rules'], rules, maxRepliesPerHour: 2, botLoopReplies: 50 });
      const customer = newCustomer();

      for (const text of ['hola 1', 'hola 2']) {
        const message = await customerSends(customer, { content: text });
        expect((await finishedJob(message.id)).status).toBe('done');
      }
      const third = await customerSends(customer, { content: 'hola 3' });
      expect((await finishedJob(third.id)).outcome).toEqual({ reason: 'rate_limited' });
      expect(await automaticReplies(third.conversationId)).toHaveLength(2);
      await configure({ maxRepliesPerHour: 10, botLoopReplies: 6 });
    });

    it('hands off instead of feeding a bot loop', async () => {
      await configure({ enabled: true, chain: ['rules'], rules, maxRepliesPerHour: 100, botLoopReplies: 3 });
      const customer = newCustomer();

      for (const text of ['hola a', 'hola b', 'hola c']) {
        const message = await customerSends(customer, { content: text });
        expect((await finishedJob(message.id)).status).toBe('done');
      }
      const fourth = await customerSends(customer, { content: 'hola d' });
      expect((await finishedJob(fourth.id)).outcome).toEqual({ action: 'handoff', reason: 'bot_loop' });
      expect(await automaticReplies(fourth.conversationId)).toHaveLength(3);
      expect((await api().get(`/api/conversations/${fourth.conversationId}/automation`).set(auth()).expect(200)).body).toMatchObject({ mode: 'human', reason: 'bot_loop' });
      await configure({ maxRepliesPerHour: 10, botLoopReplies: 6 });
    });

    it('answers a non-text message with the configured reply or a handoff', async () => {
      await configure({ enabled: true, chain: ['rules'], rules, nonText: { action: 'reply', reply: 'Solo leo texto por ahora.' } });
      const customer = newCustomer();
      await customerSends(customer, { type: 'location', latitude: 4.65, longitude: -74.06 });
      await waitForInbox(server, token, customer, (entries) => entries.some((entry) => entry.content === 'Solo leo texto por ahora.'));

      await configure({ nonText: { action: 'handoff', reply: 'Un asesor revisará tu mensaje.' } });
      const other = newCustomer();
      const location = await customerSends(other, { type: 'location', latitude: 4.65, longitude: -74.06 });
      await waitForInbox(server, token, other, (entries) => entries.some((entry) => entry.content === 'Un asesor revisará tu mensaje.'));
      expect((await api().get(`/api/conversations/${location.conversationId}/automation`).set(auth()).expect(200)).body).toMatchObject({ mode: 'human', reason: 'non_text_message' });
    });

    it('sends nothing while automatic replies are off', async () => {
      await configure({ enabled: false });
      const customer = newCustomer();
      const message = await customerSends(customer, { content: 'hola' });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const { rows } = await withClient(environment.database.url, (client) => client.query('select count(*)::int as count from hook_jobs where message_id = $1', [message.id]));
      expect(rows[0].count).toBe(0);
      expect(await automaticReplies(message.conversationId)).toHaveLength(0);
    });
  });

  describe('test box', () => {
    it('shows what the bot would answer without sending it', async () => {
      await configure({ enabled: true, chain: ['rules', 'llm'], rules: { catalogKeywords: ['catálogo'], rules: [] }, llm: llmSettings() });
      model.mode = 'ok';
      model.reply = 'Tenemos torta de chocolate por $85.000.';
      const before = await withClient(environment.database.url, (client) => client.query(`select count(*)::int as count from messages where direction = 'out'`));

      const llm = await api().post('/api/automation/preview').set(auth()).send({ message: '¿Qué tortas tienen?' }).expect(200);
      expect(llm.body).toMatchObject({ action: 'reply', hook: 'llm', text: 'Tenemos torta de chocolate por $85.000.' });
      const handoff = await api().post('/api/automation/preview').set(auth()).send({ message: 'hablar con un asesor' }).expect(200);
      expect(handoff.body).toMatchObject({ action: 'handoff', reason: 'customer_request' });

      const after = await withClient(environment.database.url, (client) => client.query(`select count(*)::int as count from messages where direction = 'out'`));
      expect(after.rows[0].count).toBe(before.rows[0].count);
    });

    it('skips an LLM hook that has no API key and no base URL', async () => {
      const created = await api().post('/api/tenants').set(auth()).send({ name: 'Sin modelo', adminEmail: 'sin-modelo@charla.test', adminPassword: 'sin-modelo-2026' }).expect(201);
      const fresh = await login(server, 'sin-modelo@charla.test', 'sin-modelo-2026');
      const answer = await api().post('/api/automation/preview').set({ Authorization: `Bearer ${fresh}` }).send({ message: '¿Cuál es el horario?' }).expect(200);

      expect(answer.body.action).not.toBe('reply');
      expect(created.body.id).toEqual(expect.any(String));
    });

    it('changes one field of a section with PATCH and keeps the others', async () => {
      const before = (await api().get('/api/automation').set(auth()).expect(200)).body;
      const patched = await api()
        .patch('/api/automation')
        .set(auth())
        .send({ rules: { rules: [{ match: 'contains', pattern: 'domicilio', reply: 'Sí, llevamos a domicilio.' }] }, webhook: { timeoutMs: 5000 } })
        .expect(200);

      expect(patched.body.rules).toEqual({ catalogKeywords: before.rules.catalogKeywords, rules: [{ match: 'contains', pattern: 'domicilio', reply: 'Sí, llevamos a domicilio.' }] });
      expect(patched.body.webhook).toEqual({ url: before.webhook.url, timeoutMs: 5000, hasSecret: before.webhook.hasSecret });
      expect(patched.body.llm.model).toBe(before.llm.model);
    });

    it('rejects malformed settings with the invalid fields', async () => {
      const response = await api()
        .put('/api/automation')
        .set(auth())
        .send({ chain: ['rules', 'magic'], rules: { catalogKeywords: [], rules: [{ match: 'regex', pattern: '(', reply: 'x' }] } })
        .expect(400);
      const fields = response.body.errors.map((error: { field: string }) => error.field);
      expect(fields).toContain('chain');
      expect(fields).toContain('rules.rules.0.pattern');
    });
  });
});
