import { EntityManager } from '@mikro-orm/postgresql';
import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';

// The package does not export its record type, so it is taken from the interface.
type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

interface HitsRow {
  hits: number;
  expires_in_ms: string;
  blocked_for_ms: string | null;
}

const CLEANUP_INTERVAL_MS = 10 * 60_000;

/**
 * The rate limits' counters in PostgreSQL, so that every app process behind a load balancer counts
 * against one budget per address or tenant. A key counts hits in a fixed window of `ttl`. The hit
 * that goes over the limit blocks the key for `blockDuration`, and the first hit after the block
 * starts a new window. One statement does the counting, so concurrent hits are never lost.
 */
export class PostgresThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger(PostgresThrottlerStorage.name);
  private lastCleanupAt = Date.now();

  constructor(private readonly em: EntityManager) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number): Promise<ThrottlerStorageRecord> {
    // Cleaning up on the way, rather than on a timer, keeps a process that serves no requests idle.
    if (Date.now() - this.lastCleanupAt > CLEANUP_INTERVAL_MS) {
      this.lastCleanupAt = Date.now();
      void this.removeExpired();
    }

    const connection = this.em.fork().getConnection();
    const [row] = await connection.execute<HitsRow[]>(
      `insert into rate_limit_hits as r (key, hits, window_ends_at) values (?, 1, now() + ? * interval '1 millisecond')
       on conflict (key) do update set
         hits = case when r.blocked_until > now() then r.hits
                     when r.window_ends_at <= now() or r.blocked_until is not null then 1
                     else r.hits + 1 end,
         window_ends_at = case when r.blocked_until > now() then r.window_ends_at
                               when r.window_ends_at <= now() or r.blocked_until is not null then excluded.window_ends_at
                               else r.window_ends_at end,
         blocked_until = case when r.blocked_until > now() then r.blocked_until end
       returning hits, extract(epoch from window_ends_at - now()) * 1000 as expires_in_ms, extract(epoch from blocked_until - now()) * 1000 as blocked_for_ms`,
      [key, ttl],
    );

    let blockedForMs = row.blocked_for_ms === null ? 0 : Number(row.blocked_for_ms);
    if (blockedForMs <= 0 && row.hits > limit) {
      // The hit that goes over the limit starts the block. Of two processes racing here, the first one sets it.
      const [blocked] = await connection.execute<{ blocked_for_ms: string }[]>(
        `update rate_limit_hits set blocked_until = coalesce(blocked_until, now() + ? * interval '1 millisecond') where key = ?
         returning extract(epoch from blocked_until - now()) * 1000 as blocked_for_ms`,
        [blockDuration, key],
      );
      blockedForMs = Number(blocked.blocked_for_ms);
    }

    const isBlocked = blockedForMs > 0;
    return {
      totalHits: row.hits,
      timeToExpire: Math.max(0, Math.ceil(Number(row.expires_in_ms) / 1000)),
      isBlocked,
      timeToBlockExpire: isBlocked ? Math.ceil(blockedForMs / 1000) : 0,
    };
  }

  /** Drops counters whose window and block ended, so addresses seen once do not pile up. */
  private async removeExpired(): Promise<void> {
    try {
      await this.em
        .fork()
        .getConnection()
        .execute(`delete from rate_limit_hits where window_ends_at < now() - interval '1 hour' and (blocked_until is null or blocked_until < now())`);
    } catch (error) {
      this.logger.warn({ reason: (error as Error).message }, 'Failed to remove expired rate-limit counters; retrying at the next interval');
    }
  }
}
