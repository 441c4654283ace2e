import { Migration } from '@mikro-orm/migrations';

/** Type-specific message data, quoted replies, reactions, edits with their history, and deletes. */
export class Migration20261204020000MessageDetails extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table messages
        add column data jsonb,
        add column quoted_message_id uuid references messages (id) on delete set null,
        add column reactions jsonb not null default '[]',
        add column edit_history jsonb not null default '[]',
        add column edited_at timestamptz,
        add column deleted_at timestamptz;`);
  }

  override async down(): Promise<void> {
    this.addSql(`
      alter table messages
        drop column data, drop column quoted_message_id, drop column reactions,
        drop column edit_history, drop column edited_at, drop column deleted_at;`);
  }
}
