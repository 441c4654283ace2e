export type HookName = 'rules' | 'llm' | 'webhook';

export interface ReplyRule {
    match: 'contains' | 'regex';
    pattern: string;
    reply: string;
}

/** The automatic-reply settings as `GET /api/automation` returns them; the API key itself is never returned. */
export interface AutomationSettings {
    id: 'automation';
    enabled: boolean;
    chain: HookName[];
    replyInGroups: boolean;
    maxMessageAgeMinutes: number;
    maxRepliesPerHour: number;
    botLoopReplies: number;
    typing: { msPerCharacter: number; maxDelayMs: number };
    handoff: { phrases: string[]; reply: string };
    businessHours: { enabled: boolean; outOfHoursReply: string };
    nonText: { action: 'reply' | 'handoff'; reply: string };
    rules: { catalogKeywords: string[]; rules: ReplyRule[] };
    llm: {
        provider: 'openai' | 'anthropic';
        baseUrl: string | null;
        model: string;
        systemPrompt: string;
        temperature: number;
        maxTokens: number;
        monthlyTokenBudget: number;
        historyMessages: number;
        timeoutMs: number;
        hasApiKey: boolean;
        tokensThisMonth: number;
        /** Write-only: a new key typed in the form. */
        apiKey?: string | null;
    };
    /** `secret` is write-only: the server returns only `hasSecret`. */
    webhook: { url: string | null; timeoutMs: number; hasSecret: boolean; secret?: string | null };
}

export type HookDecision =
    | { action: 'reply'; hook: string; text: string }
    | { action: 'handoff'; hook: string; reason: string; text: string | null }
    | { action: 'none'; reason: string };

export interface ConversationAutomation {
    conversationId: string;
    mode: 'bot' | 'human';
    reason: string | null;
    since: string | null;
}

/** The calls of the automation screens, added to the data provider by `withAutomation`. */
export interface AutomationMethods {
    getAutomation(): Promise<AutomationSettings>;
    updateAutomation(data: Partial<AutomationSettings>): Promise<AutomationSettings>;
    previewAutomation(message: string): Promise<HookDecision>;
    getConversationAutomation(conversationId: string): Promise<ConversationAutomation>;
    setConversationAutomation(conversationId: string, mode: 'bot' | 'human'): Promise<ConversationAutomation>;
    testWebhook(webhookId: string): Promise<unknown>;
}
