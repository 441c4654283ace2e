import { Migration } from '@mikro-orm/migrations';

/**
 * The outbox (idempotency keys), session state that every app process reads (QR, reconnection,
 * restrictions), per-session ownership leases, and the Socket.IO adapter's attachment table.
 */
export class Migration20261204010000OutboxAndOwnership extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table messages add column idempotency_key text;');
    this.addSql('create unique index messages_idempotency_unique on messages (session_id, idempotency_key) where idempotency_key is not null;');
    this.addSql(`create index messages_outbox_idx on messages (session_id, created_at) where direction = 'out' and status = 'queued';`);

    this.addSql(`
      alter table whatsapp_sessions
        add column qr text,
        add column qr_data_url text,
        add column qr_expires_at timestamptz,
        add column reconnect_attempts integer not null default 0,
        add column next_attempt_at timestamptz,
        add column reach_out_locked_until timestamptz,
        add column degraded boolean not null default false,
        add column pairing_code text,
        add column device_jid text;`);

    this.addSql(`
      create table session_leases (
        session_id uuid primary key references whatsapp_sessions (id) on delete cascade,
        owner_id text not null,
        expires_at timestamptz not null
      );`);

    this.addSql(`
      create table if not exists socket_io_attachments (
        id bigserial unique,
        created_at timestamptz default now(),
        payload bytea
      );`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists socket_io_attachments, session_leases;');
    this.addSql(`
      alter table whatsapp_sessions
        drop column qr, drop column qr_data_url, drop column qr_expires_at, drop column reconnect_attempts,
        drop column next_attempt_at, drop column reach_out_locked_until, drop column degraded,
        drop column pairing_code, drop column device_jid;`);
    this.addSql('drop index if exists messages_outbox_idx;');
    this.addSql('drop index if exists messages_idempotency_unique;');
    this.addSql('alter table messages drop column idempotency_key;');
  }
}
