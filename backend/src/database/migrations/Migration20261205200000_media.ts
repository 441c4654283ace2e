import { Migration } from '@mikro-orm/migrations';

/**
 * Files of media messages, in both directions. The bytes live in the media storage (a folder or an
 * S3 bucket) under `storage_key`; this row says whose file it is and what it contains.
 */
export class Migration20261205200000Media extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table media_files (
        id uuid primary key,
        tenant_id uuid not null references tenants (id) on delete cascade,
        storage_key text not null,
        mime_type text not null,
        size bigint not null,
        sha256 text not null,
        file_name text,
        created_at timestamptz not null default now()
      );`);
    this.addSql('create index media_files_tenant_idx on media_files (tenant_id);');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists media_files;');
  }
}
