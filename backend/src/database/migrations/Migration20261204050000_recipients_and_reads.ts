import { Migration } from '@mikro-orm/migrations';

/**
 * The WhatsApp id each number typed by a tenant resolved to, messages whose recipient still needs
 * that check (queued while the session was away), when we told a customer we read a message, and
 * how each message reached us (live, offline backlog or history sync).
 */
export class Migration20261204050000RecipientsAndReads extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table whatsapp_ids (
        tenant_id uuid not null references tenants (id) on delete cascade,
        phone_number text not null,
        jid text not null,
        checked_at timestamptz not null default now(),
        primary key (tenant_id, phone_number)
      );`);
    this.addSql('alter table messages add column recipient_unverified boolean not null default false;');
    this.addSql('alter table messages add column read_receipt_at timestamptz;');
    this.addSql("alter table messages add column source text not null default 'live' check (source in ('live', 'backlog', 'history'));");
  }

  override async down(): Promise<void> {
    this.addSql('alter table messages drop column source;');
    this.addSql('alter table messages drop column read_receipt_at;');
    this.addSql('alter table messages drop column recipient_unverified;');
    this.addSql('drop table if exists whatsapp_ids;');
  }
}
