import { Migration } from '@mikro-orm/migrations';

/** The signing secret of the webhook hook, sealed like the model API key: AES-256-GCM output and tag, nonce, key version. */
export class Migration20261205500000WebhookHookSecret extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table hook_settings
        add column webhook_secret_ciphertext bytea,
        add column webhook_secret_nonce bytea,
        add column webhook_secret_version text`);
  }

  override async down(): Promise<void> {
    this.addSql('alter table hook_settings drop column webhook_secret_ciphertext, drop column webhook_secret_nonce, drop column webhook_secret_version');
  }
}
