import { Migration } from '@mikro-orm/migrations';

/**
 * Refresh tokens, API keys, the audit log and failed-login counters. Tokens and keys are stored only
 * as SHA-256 hashes. `users.token_version` is copied into every access token; raising it makes the
 * user's earlier access tokens invalid.
 */
export class Migration20261205100000AuthHardening extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table users add column token_version integer not null default 0;');

    this.addSql(`
      create table refresh_tokens (
        id uuid primary key,
        user_id uuid not null references users (id) on delete cascade,
        tenant_id uuid not null references tenants (id) on delete cascade,
        family_id uuid not null,
        token_hash text not null,
        expires_at timestamptz not null,
        revoked_at timestamptz,
        replaced_by uuid,
        user_agent text,
        ip text,
        created_at timestamptz not null default now()
      );`);
    this.addSql('create unique index refresh_tokens_hash_unique on refresh_tokens (token_hash);');
    this.addSql('create index refresh_tokens_family_idx on refresh_tokens (family_id);');
    this.addSql('create index refresh_tokens_user_idx on refresh_tokens (user_id) where revoked_at is null;');

    this.addSql(`
      create table api_keys (
        id uuid primary key,
        tenant_id uuid not null references tenants (id) on delete cascade,
        name text not null,
        role text not null check (role in ('admin', 'agent')),
        key_hash text not null,
        prefix text not null,
        created_by uuid references users (id) on delete set null,
        created_at timestamptz not null default now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      );`);
    this.addSql('create unique index api_keys_hash_unique on api_keys (key_hash);');
    this.addSql('create index api_keys_tenant_idx on api_keys (tenant_id);');

    this.addSql(`
      create table audit_events (
        id uuid primary key,
        tenant_id uuid not null references tenants (id) on delete cascade,
        actor_user_id uuid,
        actor_api_key_id uuid,
        action text not null,
        target_type text not null,
        target_id text,
        details jsonb not null default '{}'::jsonb,
        ip text,
        created_at timestamptz not null default now()
      );`);
    this.addSql('create index audit_events_tenant_created_idx on audit_events (tenant_id, created_at desc);');

    // One row per throttled key (a hash of the account email or of the client address).
    this.addSql(`
      create table login_failures (
        key text primary key,
        failures integer not null,
        window_started_at timestamptz not null,
        blocked_until timestamptz
      );`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists login_failures, audit_events, api_keys, refresh_tokens;');
    this.addSql('alter table users drop column if exists token_version;');
  }
}
