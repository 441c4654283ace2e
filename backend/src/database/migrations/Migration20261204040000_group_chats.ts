import { Migration } from '@mikro-orm/migrations';

/** Group (and, when a tenant stores them, status and channel) conversations, and each message's sender. */
export class Migration20261204040000GroupChats extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table conversations alter column contact_id drop not null;');
    this.addSql('alter table conversations add column group_jid text, add column group_name text;');
    this.addSql('create unique index conversations_session_group_unique on conversations (session_id, group_jid) where group_jid is not null;');
    this.addSql('alter table conversations add constraint conversations_contact_or_group check ((contact_id is null) <> (group_jid is null));');
    this.addSql('alter table messages add column sender_jid text;');
  }

  override async down(): Promise<void> {
    this.addSql('alter table messages drop column sender_jid;');
    this.addSql('alter table conversations drop constraint conversations_contact_or_group;');
    this.addSql('drop index if exists conversations_session_group_unique;');
    this.addSql('alter table conversations drop column group_jid, drop column group_name;');
    this.addSql('delete from conversations where contact_id is null;');
    this.addSql('alter table conversations alter column contact_id set not null;');
  }
}
