import { Migration } from '@mikro-orm/migrations';

/**
 * Automatic replies, the product catalog and outbound webhooks. Secrets (the model provider's API
 * key, each webhook endpoint's signing secret) are AES-256-GCM output followed by the 16-byte tag,
 * with the nonce and the version of the key that sealed them.
 */
export class Migration20261205300000AiHooks extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table products (
        id uuid primary key,
        tenant_id uuid not null references tenants (id) on delete cascade,
        name text not null,
        description text,
        price numeric(14, 2) not null check (price >= 0),
        currency char(3) not null,
        sku text,
        stock integer check (stock is null or stock >= 0),
        image_url text,
        active boolean not null default true,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );`);
    this.addSql('create index products_tenant_idx on products (tenant_id, name);');
    this.addSql('create unique index products_tenant_sku_key on products (tenant_id, sku) where sku is not null;');

    this.addSql(`
      create table hook_settings (
        tenant_id uuid primary key references tenants (id) on delete cascade,
        settings jsonb not null default '{}',
        llm_api_key_ciphertext bytea,
        llm_api_key_nonce bytea,
        llm_api_key_version text,
        updated_at timestamptz not null default now()
      );`);

    this.addSql(`
      create table hook_jobs (
        id uuid primary key,
        tenant_id uuid not null references tenants (id) on delete cascade,
        message_id uuid not null unique references messages (id) on delete cascade,
        conversation_id uuid not null references conversations (id) on delete cascade,
        status text not null default 'pending',
        attempts integer not null default 0,
        run_after timestamptz not null default now(),
        locked_until timestamptz,
        outcome jsonb,
        last_error text,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );`);
    this.addSql("create index hook_jobs_due_idx on hook_jobs (run_after) where status in ('pending', 'running');");

    this.addSql(`
      create table llm_usage (
        tenant_id uuid not null references tenants (id) on delete cascade,
        month text not null,
        input_tokens bigint not null default 0,
        output_tokens bigint not null default 0,
        primary key (tenant_id, month)
      );`);

    this.addSql(`
      alter table conversations
        add column automation_paused boolean not null default false,
        add column automation_paused_reason text,
        add column automation_paused_at timestamptz;`);

    this.addSql(`
      create table webhook_endpoints (
        id uuid primary key,
        tenant_id uuid not null references tenants (id) on delete cascade,
        url text not null,
        description text,
        events jsonb not null,
        active boolean not null default true,
        secret_ciphertext bytea not null,
        secret_nonce bytea not null check (octet_length(secret_nonce) = 12),
        secret_key_version text not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );`);
    this.addSql('create index webhook_endpoints_tenant_idx on webhook_endpoints (tenant_id);');

    this.addSql(`
      create table webhook_deliveries (
        id uuid primary key,
        tenant_id uuid not null references tenants (id) on delete cascade,
        endpoint_id uuid not null references webhook_endpoints (id) on delete cascade,
        event text not null,
        body text not null,
        status text not null default 'pending',
        attempts integer not null default 0,
        next_attempt_at timestamptz not null default now(),
        locked_until timestamptz,
        last_status_code integer,
        last_error text,
        attempt_log jsonb not null default '[]',
        created_at timestamptz not null default now(),
        delivered_at timestamptz
      );`);
    this.addSql('create index webhook_deliveries_endpoint_idx on webhook_deliveries (endpoint_id, created_at desc);');
    this.addSql("create index webhook_deliveries_due_idx on webhook_deliveries (next_attempt_at) where status in ('pending', 'sending');");
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists webhook_deliveries;');
    this.addSql('drop table if exists webhook_endpoints;');
    this.addSql('alter table conversations drop column if exists automation_paused, drop column if exists automation_paused_reason, drop column if exists automation_paused_at;');
    this.addSql('drop table if exists llm_usage;');
    this.addSql('drop table if exists hook_jobs;');
    this.addSql('drop table if exists hook_settings;');
    this.addSql('drop table if exists products;');
  }
}
