import { Migration } from '@mikro-orm/migrations';

/** A contact's LID, so a customer named by LID or by phone number stays one contact. */
export class Migration20261204030000ContactLids extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table contacts add column lid text;');
    this.addSql('create unique index contacts_tenant_lid_unique on contacts (tenant_id, lid) where lid is not null;');
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists contacts_tenant_lid_unique;');
    this.addSql('alter table contacts drop column lid;');
  }
}
