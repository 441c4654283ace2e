import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { OutboundUrlGuard } from '../common/outbound-url';
import { TenantSecrets } from '../common/tenant-secrets';
import { HookSettings, withDefaults } from './hook-settings';
import { UpdateHookSettingsDto } from './hook-settings.dto';

/** The settings as the API shows them: the API key and the webhook secret are never returned, only whether one is stored. */
export interface HookSettingsView extends Omit<HookSettings, 'llm' | 'webhook'> {
  id: 'automation';
  llm: HookSettings['llm'] & { hasApiKey: boolean; tokensThisMonth: number };
  webhook: HookSettings['webhook'] & { hasSecret: boolean };
}

interface SettingsRow {
  settings: Partial<HookSettings> | null;
  llm_api_key_ciphertext: Buffer | null;
  llm_api_key_nonce: Buffer | null;
  llm_api_key_version: string | null;
  webhook_secret_ciphertext: Buffer | null;
  webhook_secret_nonce: Buffer | null;
  webhook_secret_version: string | null;
}

/** A secret stored sealed in `hook_settings`: its columns, and the name its encryption is bound to. */
interface SecretColumns {
  name: string;
  prefix: 'llm_api_key' | 'webhook_secret';
}

const API_KEY: SecretColumns = { name: 'hook_settings.llm_api_key', prefix: 'llm_api_key' };
const WEBHOOK_SECRET: SecretColumns = { name: 'hook_settings.webhook_secret', prefix: 'webhook_secret' };

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
    return {
      id: 'automation',
      ...settings,
      llm: { ...settings.llm, hasApiKey: Boolean(row?.llm_api_key_ciphertext), tokensThisMonth: await this.tokensThisMonth(tenantId) },
      webhook: { ...settings.webhook, hasSecret: Boolean(row?.webhook_secret_ciphertext) },
    };
  }

  /** Replaces the sections given; URLs are checked before anything is stored. */
  async update(tenantId: string, body: UpdateHookSettingsDto): Promise<HookSettingsView> {
    if (body.llm?.baseUrl) await this.urls.check(body.llm.baseUrl, 'llm.baseUrl');
    if (body.webhook?.url) await this.urls.check(body.webhook.url, 'webhook.url');

    const current = withDefaults((await this.row(tenantId))?.settings);
    const { id: _id, llm, webhook, ...sections } = body;
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
    if (webhook) {
      const { secret: _secret, hasSecret: _hasSecret, ...webhookSettings } = webhook;
      next.webhook = { ...current.webhook, ...definedOnly(webhookSettings) };
    }
    if (Array.isArray(next.chain)) next.chain = [...new Set(next.chain)];

    const connection = this.em.getConnection();
    await connection.execute(
      `insert into hook_settings (tenant_id, settings) values (?, ?::jsonb)
       on conflict (tenant_id) do update set settings = excluded.settings, updated_at = now()`,
      [tenantId, JSON.stringify(next)],
    );
    await this.storeSecret(tenantId, API_KEY, llm?.apiKey);
    await this.storeSecret(tenantId, WEBHOOK_SECRET, webhook?.secret);
    return this.view(tenantId);
  }

  /** The tenant's model API key in clear text, for one call; null when none is stored. */
  apiKey(tenantId: string): Promise<string | null> {
    return this.openSecret(tenantId, API_KEY);
  }

  /** Returns the secret that signs the webhook hook's requests, in clear text, or null when none is stored. */
  webhookSecret(tenantId: string): Promise<string | null> {
    return this.openSecret(tenantId, WEBHOOK_SECRET);
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

  /** Seals and stores a secret; null removes it and undefined leaves it as it is. */
  private async storeSecret(tenantId: string, secret: SecretColumns, value: string | null | undefined): Promise<void> {
    if (value === undefined || value === '') return;

    const { prefix } = secret;
    const sealed = value === null ? null : this.secrets.seal(value, { tenantId, column: secret.name, rowId: tenantId });
    await this.em
      .getConnection()
      .execute(`update hook_settings set ${prefix}_ciphertext = ?, ${prefix}_nonce = ?, ${prefix}_version = ? where tenant_id = ?`, [
        sealed?.ciphertext ?? null,
        sealed?.nonce ?? null,
        sealed?.keyVersion ?? null,
        tenantId,
      ]);
  }

  private async openSecret(tenantId: string, secret: SecretColumns): Promise<string | null> {
    const row = await this.row(tenantId);
    const ciphertext = row?.[`${secret.prefix}_ciphertext`];
    if (!row || !ciphertext) return null;

    return this.secrets.open(
      { ciphertext, nonce: row[`${secret.prefix}_nonce`]!, keyVersion: row[`${secret.prefix}_version`]! },
      { tenantId, column: secret.name, rowId: tenantId },
    );
  }

  private async row(tenantId: string): Promise<SettingsRow | undefined> {
    const [row] = await this.em
      .fork()
      .getConnection()
      .execute<SettingsRow[]>(
        `select settings, llm_api_key_ciphertext, llm_api_key_nonce, llm_api_key_version, webhook_secret_ciphertext, webhook_secret_nonce, webhook_secret_version
         from hook_settings where tenant_id = ?`,
        [tenantId],
      );
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
