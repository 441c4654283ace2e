import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { OutboundUrlGuard } from '../common/outbound-url';
import { TenantSecrets } from '../common/tenant-secrets';
import { HookSettings, withDefaults } from './hook-settings';
import { UpdateHookSettingsDto } from './hook-settings.dto';

/** The settings as the API shows them: the API key is never returned, only whether one is stored. */
export interface HookSettingsView extends Omit<HookSettings, 'llm'> {
  id: 'automation';
  llm: HookSettings['llm'] & { hasApiKey: boolean; tokensThisMonth: number };
}

interface SettingsRow {
  settings: Partial<HookSettings> | null;
  llm_api_key_ciphertext: Buffer | null;
  llm_api_key_nonce: Buffer | null;
  llm_api_key_version: string | null;
}

const API_KEY_COLUMN = 'hook_settings.llm_api_key';

/** Reads and stores each tenant's automatic-reply settings and its model API key, sealed with ENCRYPTION_KEY. */
@Injectable()
export class HookSettingsService {
  constructor(
    private readonly em: EntityManager,
    private readonly urls: OutboundUrlGuard,
    private readonly secrets: TenantSecrets,
  ) {}

  /** A primary-key read, so a change applies to the next message. */
  async load(tenantId: string): Promise<HookSettings> {
    return withDefaults((await this.row(tenantId))?.settings);
  }

  async view(tenantId: string): Promise<HookSettingsView> {
    const row = await this.row(tenantId);
    const settings = withDefaults(row?.settings);
    return { id: 'automation', ...settings, llm: { ...settings.llm, hasApiKey: Boolean(row?.llm_api_key_ciphertext), tokensThisMonth: await this.tokensThisMonth(tenantId) } };
  }

  /** Replaces the sections given; URLs are checked before anything is stored. */
  async update(tenantId: string, body: UpdateHookSettingsDto): Promise<HookSettingsView> {
    if (body.llm?.baseUrl) await this.urls.check(body.llm.baseUrl, 'llm.baseUrl');
    if (body.webhook?.url) await this.urls.check(body.webhook.url, 'webhook.url');

    const current = withDefaults((await this.row(tenantId))?.settings);
    const { id: _id, llm, ...sections } = body;
    // A section sent in part keeps its other fields, so PATCH can change one rule list or one timeout.
    const next = { ...current } as Record<string, unknown>;
    for (const [name, value] of Object.entries(definedOnly(sections))) {
      const stored = next[name];
      next[name] = isSection(value) && isSection(stored) ? { ...stored, ...definedOnly(value) } : value;
    }
    if (llm) {
      const { apiKey: _apiKey, hasApiKey: _hasApiKey, tokensThisMonth: _tokens, ...llmSettings } = llm;
      next.llm = { ...current.llm, ...definedOnly(llmSettings) };
    }
    if (Array.isArray(next.chain)) next.chain = [...new Set(next.chain)];

    const connection = this.em.getConnection();
    await connection.execute(
      `insert into hook_settings (tenant_id, settings) values (?, ?::jsonb)
       on conflict (tenant_id) do update set settings = excluded.settings, updated_at = now()`,
      [tenantId, JSON.stringify(next)],
    );
    if (llm?.apiKey === null) {
      await connection.execute('update hook_settings set llm_api_key_ciphertext = null, llm_api_key_nonce = null, llm_api_key_version = null where tenant_id = ?', [tenantId]);
    } else if (llm?.apiKey) {
      const sealed = this.secrets.seal(llm.apiKey, { tenantId, column: API_KEY_COLUMN, rowId: tenantId });
      await connection.execute('update hook_settings set llm_api_key_ciphertext = ?, llm_api_key_nonce = ?, llm_api_key_version = ? where tenant_id = ?', [
        sealed.ciphertext,
        sealed.nonce,
        sealed.keyVersion,
        tenantId,
      ]);
    }
    return this.view(tenantId);
  }

  /** The tenant's model API key in clear text, for one call; null when none is stored. */
  async apiKey(tenantId: string): Promise<string | null> {
    const row = await this.row(tenantId);
    if (!row?.llm_api_key_ciphertext) return null;
    return this.secrets.open(
      { ciphertext: row.llm_api_key_ciphertext, nonce: row.llm_api_key_nonce!, keyVersion: row.llm_api_key_version! },
      { tenantId, column: API_KEY_COLUMN, rowId: tenantId },
    );
  }

  async tokensThisMonth(tenantId: string): Promise<number> {
    const [row] = await this.em
      .fork()
      .getConnection()
      .execute<{ total: string }[]>('select input_tokens + output_tokens as total from llm_usage where tenant_id = ? and month = ?', [tenantId, currentMonth()]);
    return Number(row?.total ?? 0);
  }

  async addTokens(tenantId: string, inputTokens: number, outputTokens: number): Promise<void> {
    await this.em.fork().getConnection().execute(
      `insert into llm_usage (tenant_id, month, input_tokens, output_tokens) values (?, ?, ?, ?)
       on conflict (tenant_id, month) do update set input_tokens = llm_usage.input_tokens + excluded.input_tokens, output_tokens = llm_usage.output_tokens + excluded.output_tokens`,
      [tenantId, currentMonth(), inputTokens, outputTokens],
    );
  }

  private async row(tenantId: string): Promise<SettingsRow | undefined> {
    const [row] = await this.em
      .fork()
      .getConnection()
      .execute<SettingsRow[]>('select settings, llm_api_key_ciphertext, llm_api_key_nonce, llm_api_key_version from hook_settings where tenant_id = ?', [tenantId]);
    return row;
  }
}

/** The calendar month of token budgets, in UTC: `2026-12`. */
function currentMonth(): string {
  return new Date().toISOString().slice(0, 7);
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** A settings section: a plain object, not a list such as the chain. */
function isSection(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
