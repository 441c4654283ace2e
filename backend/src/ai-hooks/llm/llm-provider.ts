import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { OutboundUrlGuard } from '../../common/outbound-url';
import type { LlmProviderName } from '../hook-settings';
import { guardedFetch } from './guarded-fetch';

export interface ChatTurn {
  role: 'user' | 'assistant';
  content: string;
}

export interface CompletionRequest {
  model: string;
  system: string;
  turns: ChatTurn[];
  temperature: number;
  maxTokens: number;
  timeoutMs: number;
}

export interface Completion {
  text: string;
  inputTokens: number;
  outputTokens: number;
}

/** One chat model behind the same call, whatever the vendor. */
export interface LlmProvider {
  complete(request: CompletionRequest): Promise<Completion>;
}

export interface ProviderOptions {
  provider: LlmProviderName;
  baseUrl: string | null;
  apiKey: string | null;
  timeoutMs: number;
  guard: OutboundUrlGuard;
}

export const DEFAULT_BASE_URLS: Record<LlmProviderName, string> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
};

/** A key is always passed explicitly, so the SDKs never fall back to OPENAI_API_KEY or ANTHROPIC_API_KEY of the server. */
const NO_KEY = 'no-key-configured';

export function createLlmProvider(options: ProviderOptions): LlmProvider {
  const baseURL = options.baseUrl ?? DEFAULT_BASE_URLS[options.provider];
  const fetch = guardedFetch(options.guard, 'llm.baseUrl', options.timeoutMs);
  // The hook worker retries failed jobs with backoff, so the SDKs must not retry on their own.
  const common = { apiKey: options.apiKey ?? NO_KEY, baseURL, fetch, maxRetries: 0, timeout: options.timeoutMs + 1000 };
  return options.provider === 'anthropic' ? new AnthropicProvider(new Anthropic(common)) : new OpenAiProvider(new OpenAI(common));
}

/** OpenAI's chat completions, also spoken by Ollama, vLLM and other OpenAI-compatible servers. */
class OpenAiProvider implements LlmProvider {
  constructor(private readonly client: OpenAI) {}

  async complete(request: CompletionRequest): Promise<Completion> {
    const completion = await this.client.chat.completions.create({
      model: request.model,
      messages: [{ role: 'system', content: request.system }, ...request.turns],
      temperature: request.temperature,
      max_tokens: request.maxTokens,
    });
    return {
      text: completion.choices[0]?.message?.content?.trim() ?? '',
      inputTokens: completion.usage?.prompt_tokens ?? 0,
      outputTokens: completion.usage?.completion_tokens ?? 0,
    };
  }
}

/** Anthropic's messages API. It needs turns that alternate and start with the user, so neighbours of one role are merged. */
class AnthropicProvider implements LlmProvider {
  constructor(private readonly client: Anthropic) {}

  async complete(request: CompletionRequest): Promise<Completion> {
    const message = await this.client.messages.create({
      model: request.model,
      system: request.system,
      messages: alternatingTurns(request.turns),
      // NOTE: @anthropic-ai/sdk 1.17.0 no longer lists `temperature` among the message parameters, so the
      // tenant's temperature applies to OpenAI-compatible providers only.
      max_tokens: request.maxTokens,
    });
    const text = message.content
      .map((block) => (block.type === 'text' ? block.text : ''))
      .join('')
      .trim();
    return { text, inputTokens: message.usage?.input_tokens ?? 0, outputTokens: message.usage?.output_tokens ?? 0 };
  }
}

export function alternatingTurns(turns: ChatTurn[]): ChatTurn[] {
  const merged: ChatTurn[] = [];
  for (const turn of turns) {
    const last = merged.at(-1);
    if (last && last.role === turn.role) last.content = `${last.content}\n${turn.content}`;
    else merged.push({ ...turn });
  }
  while (merged[0]?.role === 'assistant') merged.shift();
  return merged;
}
