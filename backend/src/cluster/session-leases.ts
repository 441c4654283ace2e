import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';

/**
 * One owner per WhatsApp session across app processes: a lease row with an expiry that the owner
 * renews. Another process takes a session over only once the lease has expired or was released,
 * so two processes never open the same session at once.
 */
@Injectable()
export class SessionLeases implements OnModuleDestroy {
  readonly instanceId = `${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly logger = new Logger(SessionLeases.name);
  private readonly held = new Set<string>();
  private renewTimer?: NodeJS.Timeout;
  private onLost?: (sessionId: string) => void;

  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get ttlMs(): number {
    return this.config.cluster.leaseTtlMs;
  }

  /** Starts renewing; `onLost` runs for a session whose lease another process took. */
  start(onLost: (sessionId: string) => void): void {
    this.onLost = onLost;
    this.renewTimer ??= setInterval(() => void this.renewAll(), Math.max(200, Math.floor(this.ttlMs / 3)));
    this.renewTimer.unref();
  }

  isHeld(sessionId: string): boolean {
    return this.held.has(sessionId);
  }

  async acquire(sessionId: string): Promise<boolean> {
    const rows = await this.execute<{ owner_id: string }>(
      `insert into session_leases (session_id, owner_id, expires_at) values (?, ?, now() + (? * interval '1 millisecond'))
       on conflict (session_id) do update set owner_id = excluded.owner_id, expires_at = excluded.expires_at
       where session_leases.expires_at < now() or session_leases.owner_id = excluded.owner_id
       returning owner_id`,
      [sessionId, this.instanceId, this.ttlMs],
    );
    const acquired = rows.length === 1;
    if (acquired) this.held.add(sessionId);
    return acquired;
  }

  async release(sessionId: string): Promise<void> {
    this.held.delete(sessionId);
    await this.execute('delete from session_leases where session_id = ? and owner_id = ?', [sessionId, this.instanceId]);
  }

  async releaseAll(): Promise<void> {
    const sessions = [...this.held];
    this.held.clear();
    if (sessions.length > 0) await this.execute('delete from session_leases where owner_id = ?', [this.instanceId]);
  }

  /** Returns the live owner of a session, or null when no process has an unexpired lease. */
  async ownerOf(sessionId: string): Promise<string | null> {
    const [row] = await this.execute<{ owner_id: string }>('select owner_id from session_leases where session_id = ? and expires_at > now()', [sessionId]);
    return row?.owner_id ?? null;
  }

  onModuleDestroy(): void {
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = undefined;
  }

  private async renewAll(): Promise<void> {
    if (this.held.size === 0) return;
    const sessions = [...this.held];
    try {
      const renewed = await this.execute<{ session_id: string }>(
        `update session_leases set expires_at = now() + (? * interval '1 millisecond')
         where owner_id = ? and session_id in (${sessions.map(() => '?').join(', ')}) returning session_id`,
        [this.ttlMs, this.instanceId, ...sessions],
      );
      const kept = new Set(renewed.map((row) => row.session_id));
      for (const sessionId of sessions) {
        if (kept.has(sessionId) || !this.held.has(sessionId)) continue;
        this.held.delete(sessionId);
        this.logger.warn({ sessionId, instanceId: this.instanceId }, 'Lost the ownership lease of a session; closing it here');
        this.onLost?.(sessionId);
      }
    } catch (error) {
      this.logger.error({ reason: (error as Error).message }, 'Failed to renew session leases');
    }
  }

  private execute<T>(sql: string, params: unknown[]): Promise<T[]> {
    return this.em.fork().getConnection().execute<T[]>(sql, params);
  }
}
