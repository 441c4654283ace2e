import { Migration } from '@mikro-orm/migrations';

/** Tenants, users, WhatsApp sessions, contacts, conversations and messages. */
export class Migration20261204000000Initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table tenants (
        id uuid primary key,
        name text not null,
        status text not null default 'active' check (status in ('active', 'suspended')),
        settings jsonb not null default '{}',
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );`);

    this.addSql(`
      create table users (
        id uuid primary key,
        tenant_id uuid not null references tenants (id) on delete cascade,
        email text not null,
        name text not null,
        password_hash text not null,
        role text not null check (role in ('superadmin', 'admin', 'agent')),
        active boolean not null default true,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );`);
    this.addSql('create unique index users_email_unique on users (lower(email));');
    this.addSql('create index users_tenant_idx on users (tenant_id);');

    this.addSql(`
      create table whatsapp_sessions (
        id uuid primary key,
        tenant_id uuid not null references tenants (id) on delete cascade,
        name text not null,
        status text not null default 'disconnected',
        phone_number text,
        push_name text,
        linked_mode text check (linked_mode in ('live', 'sandbox')),
        auto_connect boolean not null default false,
        is_default boolean not null default false,
        last_error jsonb,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        deleted_at timestamptz
      );`);
    this.addSql('create index whatsapp_sessions_tenant_idx on whatsapp_sessions (tenant_id) where deleted_at is null;');
    this.addSql('create unique index whatsapp_sessions_default_unique on whatsapp_sessions (tenant_id) where is_default and deleted_at is null;');

    this.addSql(`
      create table contacts (
        id uuid primary key,
        tenant_id uuid not null references tenants (id) on delete cascade,
        jid text not null,
        phone_number text,
        name text,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint contacts_tenant_jid_unique unique (tenant_id, jid)
      );`);

    this.addSql(`
      create table conversations (
        id uuid primary key,
        tenant_id uuid not null references tenants (id) on delete cascade,
        session_id uuid not null references whatsapp_sessions (id) on delete cascade,
        contact_id uuid not null references contacts (id) on delete cascade,
        chat_jid text not null,
        last_message_at timestamptz,
        last_message_preview text,
        unread_count integer not null default 0,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint conversations_session_contact_unique unique (session_id, contact_id)
      );`);
    this.addSql('create index conversations_tenant_last_idx on conversations (tenant_id, last_message_at desc nulls last);');

    this.addSql(`
      create table messages (
        id uuid primary key,
        tenant_id uuid not null references tenants (id) on delete cascade,
        session_id uuid not null references whatsapp_sessions (id) on delete cascade,
        conversation_id uuid not null references conversations (id) on delete cascade,
        chat_jid text not null,
        wa_message_id text,
        direction text not null check (direction in ('in', 'out')),
        type text not null default 'text',
        content text,
        status text not null,
        error jsonb,
        sender_name text,
        timestamp timestamptz not null,
        payload jsonb,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint messages_wa_unique unique (session_id, chat_jid, wa_message_id, direction)
      );`);
    this.addSql('create index messages_conversation_time_idx on messages (conversation_id, timestamp desc);');
    this.addSql('create index messages_session_wa_idx on messages (session_id, wa_message_id);');
    this.addSql('create index messages_tenant_time_idx on messages (tenant_id, timestamp desc);');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists messages, conversations, contacts, whatsapp_sessions, users, tenants cascade;');
  }
}
