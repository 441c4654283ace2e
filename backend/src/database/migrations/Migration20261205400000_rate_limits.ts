import { Migration } from '@mikro-orm/migrations';

/** Request counters of the rate limits, shared by every app process on the database. */
export class Migration20261205400000RateLimits extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table rate_limit_hits (
        key text primary key,
        hits integer not null,
        window_ends_at timestamptz not null,
        blocked_until timestamptz
      )`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table rate_limit_hits');
  }
}
