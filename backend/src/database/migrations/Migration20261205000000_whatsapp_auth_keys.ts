import { Migration } from '@mikro-orm/migrations';

/**
 * Baileys credentials and Signal keys for AUTH_STATE_STORE=database: one encrypted row per record.
 * The credentials are the row with type `creds` and an empty key id. `ciphertext` is AES-256-GCM
 * output followed by its 16-byte tag, and `key_version` names the key that sealed it.
 */
export class Migration20261205000000WhatsappAuthKeys extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table whatsapp_auth_keys (
        session_id uuid not null references whatsapp_sessions (id) on delete cascade,
        type text not null,
        key_id text not null,
        ciphertext bytea not null,
        nonce bytea not null check (octet_length(nonce) = 12),
        key_version text not null,
        updated_at timestamptz not null default now(),
        primary key (session_id, type, key_id)
      );`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists whatsapp_auth_keys;');
  }
}
