import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { OutboundUrlGuard } from '../common/outbound-url';
import { scopeTenantId, tenantParam } from '../common/tenant-context';
import { ProductsService } from '../products/products.service';
import { signWebhook } from '../webhooks/webhook-signature';
import { isOpenAt } from '../settings/opening-hours';
import { loadTenantSettings } from '../settings/settings.service';
import { HookName, HookSettings } from './hook-settings';
import { HookSettingsService } from './hook-settings.service';
import { ChatTurn, createLlmProvider } from './llm/llm-provider';
import { BusinessContext, buildSystemPrompt, containsPhrase, formatCatalog, unknownAmounts } from './prompt';

/** The chain's decision for one message. */
export type HookDecision =
  | { action: 'reply'; hook: string; text: string; detail?: Record<string, unknown> }
  | { action: 'handoff'; hook: string; reason: string; text: string | null }
  | { action: 'none'; reason: string };

export interface IncomingMessage {
  type: string;
  content: string | null;
}

/** Message types the hooks read as text. */
const TEXT_TYPES = new Set(['text']);

/**
 * Decides the reply to one customer message, without sending anything: the handoff phrases, the
 * non-text policy and the opening hours first, then the tenant's hooks in order until one replies or
 * hands off. A hook that fails (a model timeout, a webhook error) throws, and the caller retries.
 */
@Injectable()
export class HookChain {
  private readonly logger = new Logger(HookChain.name);

  constructor(
    private readonly em: EntityManager,
    private readonly settingsService: HookSettingsService,
    private readonly products: ProductsService,
    private readonly urls: OutboundUrlGuard,
  ) {}

  async decide(tenantId: string, conversationId: string | null, message: IncomingMessage, settings: HookSettings, now = new Date()): Promise<HookDecision> {
    const text = message.content ?? '';
    const isText = TEXT_TYPES.has(message.type) && text.trim() !== '';

    if (isText && settings.handoff.phrases.some((phrase) => containsPhrase(text, phrase))) {
      return { action: 'handoff', hook: 'handoff', reason: 'customer_request', text: settings.handoff.reply || null };
    }
    if (!isText) {
      return settings.nonText.action === 'handoff'
        ? { action: 'handoff', hook: 'non_text', reason: 'non_text_message', text: settings.nonText.reply || null }
        : { action: 'reply', hook: 'non_text', text: settings.nonText.reply, detail: { messageType: message.type } };
    }

    const business = await this.business(tenantId);
    if (settings.businessHours.enabled && !isOpenAt(business.settings.openingHours, business.settings.timeZone, now)) {
      return { action: 'reply', hook: 'business_hours', text: settings.businessHours.outOfHoursReply };
    }

    for (const hook of settings.chain) {
      const decision = await this.runHook(hook, tenantId, conversationId, text, settings, business, now);
      if (decision) return decision;
    }
    return { action: 'none', reason: 'no_hook_answered' };
  }

  private runHook(hook: HookName, tenantId: string, conversationId: string | null, text: string, settings: HookSettings, business: BusinessContext, now: Date): Promise<HookDecision | undefined> {
    switch (hook) {
      case 'rules':
        return this.rules(tenantId, text, settings, business);
      case 'llm':
        return this.llm(tenantId, conversationId, text, settings, business, now);
      case 'webhook':
        return this.webhook(tenantId, conversationId, text, settings, business);
    }
  }

  /** Keyword and pattern rules, and the catalog keywords that send the formatted catalog. */
  private async rules(tenantId: string, text: string, settings: HookSettings, business: BusinessContext): Promise<HookDecision | undefined> {
    if (settings.rules.catalogKeywords.some((keyword) => containsPhrase(text, keyword))) {
      return { action: 'reply', hook: 'rules', text: formatCatalog(await this.products.activeCatalog(tenantId), business), detail: { rule: 'catalog' } };
    }
    const index = settings.rules.rules.findIndex((rule) => (rule.match === 'regex' ? new RegExp(rule.pattern, 'iu').test(text) : containsPhrase(text, rule.pattern)));
    if (index < 0) return undefined;
    return { action: 'reply', hook: 'rules', text: settings.rules.rules[index].reply, detail: { rule: index } };
  }

  private async llm(tenantId: string, conversationId: string | null, text: string, settings: HookSettings, business: BusinessContext, now: Date): Promise<HookDecision | undefined> {
    const { llm } = settings;
    const apiKey = await this.settingsService.apiKey(tenantId);
    // Without a key or a server of its own, the provider's public API could only refuse the call.
    if (!apiKey && !llm.baseUrl) {
      this.logger.debug({ tenantId }, 'The LLM hook has no API key and no base URL; skipping it');
      return undefined;
    }
    if (llm.monthlyTokenBudget > 0 && (await this.settingsService.tokensThisMonth(tenantId)) >= llm.monthlyTokenBudget) {
      this.logger.warn({ tenantId, budget: llm.monthlyTokenBudget }, 'The monthly token budget of the LLM hook is used up; skipping it');
      return undefined;
    }

    const catalog = await this.products.activeCatalog(tenantId);
    const turns = conversationId ? await this.history(conversationId, llm.historyMessages) : [];
    if (turns.at(-1)?.content !== text) turns.push({ role: 'user', content: text });

    const provider = createLlmProvider({ provider: llm.provider, baseUrl: llm.baseUrl, apiKey, timeoutMs: llm.timeoutMs, guard: this.urls });
    const completion = await provider.complete({
      model: llm.model,
      system: buildSystemPrompt(llm.systemPrompt, business, catalog, now),
      turns,
      temperature: llm.temperature,
      maxTokens: llm.maxTokens,
      timeoutMs: llm.timeoutMs,
    });
    await this.settingsService.addTokens(tenantId, completion.inputTokens, completion.outputTokens);

    if (!completion.text) return undefined;
    const unknown = unknownAmounts(completion.text, catalog);
    if (unknown.length > 0) {
      this.logger.warn({ tenantId, conversationId, amounts: unknown }, 'The model mentioned prices that are not in the catalog; its reply is not sent');
      return undefined;
    }
    return { action: 'reply', hook: 'llm', text: completion.text, detail: { provider: llm.provider, model: llm.model, tokens: completion.inputTokens + completion.outputTokens } };
  }

  /**
   * POSTs the message to the tenant's URL. A 2xx JSON response `{"reply": "…"}` replies and
   * `{"handoff": true}` hands off; an empty response or 204 passes to the next hook.
   */
  private async webhook(tenantId: string, conversationId: string | null, text: string, settings: HookSettings, business: BusinessContext): Promise<HookDecision | undefined> {
    const url = settings.webhook.url;
    if (!url) return undefined;
    const history = conversationId ? await this.history(conversationId, 10) : [];
    const body = JSON.stringify({ tenantId, business: business.name, conversationId, message: { type: 'text', content: text }, history });
    const response = await this.urls.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Charla-Hooks/1', ...(await this.signature(tenantId, body)) },
      body,
      timeoutMs: settings.webhook.timeoutMs,
      maxBytes: 256 * 1024,
      field: 'webhook.url',
    });
    if (response.status >= 300) throw new Error(`The webhook hook responded with HTTP ${response.status}; it must return 2xx`);
    if (response.status === 204 || response.body.length === 0) return undefined;

    let answer: { reply?: unknown; handoff?: unknown };
    try {
      answer = JSON.parse(response.body.toString('utf8'));
    } catch {
      throw new Error('The webhook hook returned a body that is not JSON; return {"reply": "…"} or an empty body');
    }
    if (answer.handoff === true) return { action: 'handoff', hook: 'webhook', reason: 'webhook_request', text: typeof answer.reply === 'string' ? answer.reply : null };
    if (typeof answer.reply === 'string' && answer.reply.trim()) return { action: 'reply', hook: 'webhook', text: answer.reply.trim() };
    return undefined;
  }

  /** Signs a webhook hook request the way outbound webhooks are signed, when the tenant stored a secret. */
  private async signature(tenantId: string, body: string): Promise<Record<string, string>> {
    const secret = await this.settingsService.webhookSecret(tenantId);
    if (!secret) return {};

    const timestamp = String(Math.floor(Date.now() / 1000));
    return { 'x-charla-timestamp': timestamp, 'x-charla-signature': signWebhook(secret, timestamp, body) };
  }

  /** Loads the last text messages of a conversation as chat turns, oldest first, with the customer as the user. */
  private async history(conversationId: string, limit: number): Promise<ChatTurn[]> {
    if (limit === 0) return [];
    const rows = await this.em
      .fork()
      .getConnection()
      .execute<{ direction: string; content: string }[]>(
        `select direction, content from messages
         where conversation_id = ? and tenant_id = ? and content is not null and type = 'text' and deleted_at is null
         order by timestamp desc, created_at desc limit ?`,
        [conversationId, scopeTenantId('Reading the history for a model prompt'), limit],
      );
    return rows.reverse().map((row) => ({ role: row.direction === 'in' ? 'user' : 'assistant', content: row.content }));
  }

  private async business(tenantId: string): Promise<BusinessContext> {
    const em = this.em.fork();
    const [tenant] = await em.getConnection().execute<{ name: string }[]>('select name from tenants where id = ?', [tenantParam(tenantId, 'Reading the business name')]);
    return { name: tenant?.name ?? '', settings: await loadTenantSettings(em, tenantId) };
  }
}
