/** The hooks that can answer a message, run in the tenant's order until one replies or hands off. */
export const HOOK_NAMES = ['rules', 'llm', 'webhook'] as const;
export type HookName = (typeof HOOK_NAMES)[number];

export const LLM_PROVIDERS = ['openai', 'anthropic'] as const;
export type LlmProviderName = (typeof LLM_PROVIDERS)[number];

/** One keyword or pattern rule: `contains` matches whole words, ignoring case and accents; `regex` is a case-insensitive JavaScript pattern. */
export interface ReplyRule {
  match: 'contains' | 'regex';
  pattern: string;
  reply: string;
}

/** A tenant's automatic-reply settings, stored in `hook_settings.settings`; the API key is stored apart, encrypted. */
export interface HookSettings {
  /** Master switch: with it off, no message is queued for the hooks. */
  enabled: boolean;
  chain: HookName[];
  replyInGroups: boolean;
  /** Messages older than this when they are stored (replayed after the phone was away) get no automatic reply. */
  maxMessageAgeMinutes: number;
  /** Automatic replies per conversation per hour; more are skipped. */
  maxRepliesPerHour: number;
  /** When the last this-many replies of a conversation were all automatic and came within 10 minutes, the bot hands off instead of replying. */
  botLoopReplies: number;
  /** Typing indicator time before each reply: `msPerCharacter` times its length, at most `maxDelayMs`. */
  typing: { msPerCharacter: number; maxDelayMs: number };
  /** Phrases that hand the conversation to a human, and what the customer is told then. */
  handoff: { phrases: string[]; reply: string };
  /** Outside the opening hours of the business profile, `outOfHoursReply` is sent (once per conversation every 12 hours) and no hook runs. */
  businessHours: { enabled: boolean; outOfHoursReply: string };
  /** What a voice note, image or other non-text message gets. */
  nonText: { action: 'reply' | 'handoff'; reply: string };
  rules: { catalogKeywords: string[]; rules: ReplyRule[] };
  llm: {
    provider: LlmProviderName;
    /** An OpenAI-compatible server (Ollama, vLLM) or a proxy; null uses the provider's public API. */
    baseUrl: string | null;
    model: string;
    systemPrompt: string;
    temperature: number;
    maxTokens: number;
    /** Input plus output tokens per calendar month (UTC); 0 means no limit. */
    monthlyTokenBudget: number;
    /** Recent messages of the conversation sent with the prompt. */
    historyMessages: number;
    timeoutMs: number;
  };
  webhook: { url: string | null; timeoutMs: number };
}

export const DEFAULT_HOOK_SETTINGS: HookSettings = {
  enabled: false,
  chain: ['rules', 'llm'],
  replyInGroups: false,
  maxMessageAgeMinutes: 10,
  maxRepliesPerHour: 10,
  botLoopReplies: 6,
  typing: { msPerCharacter: 30, maxDelayMs: 4000 },
  handoff: {
    phrases: ['hablar con un asesor', 'hablar con una persona', 'talk to a human', 'talk to an agent'],
    reply: 'Te comunico con un asesor. Te responderá en cuanto esté disponible.',
  },
  businessHours: { enabled: false, outOfHoursReply: 'Gracias por escribirnos. En este momento estamos cerrados; te responderemos en nuestro horario de atención.' },
  nonText: { action: 'reply', reply: 'Por ahora solo puedo leer mensajes de texto. ¿Me lo escribes, por favor?' },
  rules: { catalogKeywords: ['catálogo', 'catalogo', 'precios', 'catalog', 'prices'], rules: [] },
  llm: {
    provider: 'openai',
    baseUrl: null,
    model: 'gpt-4o-mini',
    systemPrompt: 'Eres el asistente de WhatsApp del negocio. Responde con amabilidad y brevedad.',
    temperature: 0.3,
    maxTokens: 400,
    monthlyTokenBudget: 0,
    historyMessages: 20,
    timeoutMs: 20_000,
  },
  webhook: { url: null, timeoutMs: 10_000 },
};

/** Fills in defaults section by section, so settings saved by an older version stay valid. */
export function withDefaults(stored: Partial<HookSettings> | null | undefined): HookSettings {
  const saved = stored ?? {};
  return {
    ...DEFAULT_HOOK_SETTINGS,
    ...saved,
    typing: { ...DEFAULT_HOOK_SETTINGS.typing, ...saved.typing },
    handoff: { ...DEFAULT_HOOK_SETTINGS.handoff, ...saved.handoff },
    businessHours: { ...DEFAULT_HOOK_SETTINGS.businessHours, ...saved.businessHours },
    nonText: { ...DEFAULT_HOOK_SETTINGS.nonText, ...saved.nonText },
    rules: { ...DEFAULT_HOOK_SETTINGS.rules, ...saved.rules },
    llm: { ...DEFAULT_HOOK_SETTINGS.llm, ...saved.llm },
    webhook: { ...DEFAULT_HOOK_SETTINGS.webhook, ...saved.webhook },
  };
}
