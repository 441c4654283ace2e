import { createHash } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { AppError } from '../common/app-error';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';

/**
 * Counts failed logins per account and per client address in PostgreSQL, so every app process
 * shares the counts. After too many failures within the lockout window, logins for that account or
 * from that address are refused until the window ends. Unknown emails are counted like real ones,
 * so the refusal does not reveal whether an account exists. Keys are hashed, because people
 * sometimes type a password into the email field.
 */
@Injectable()
export class LoginThrottle {
  private readonly logger = new Logger(LoginThrottle.name);

  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Throws 429 LOGIN_THROTTLED with `retryAfterSeconds` while the account or the address is locked out. */
  async assertAllowed(email: string, ip: string | undefined): Promise<void> {
    const keys = this.keys(email, ip).map((entry) => entry.key);
    const rows = await this.em
      .getConnection()
      .execute<{ seconds: string }[]>(
        `select ceil(extract(epoch from blocked_until - now()))::int as seconds from login_failures where key in (${keys.map(() => '?').join(', ')}) and blocked_until > now()`,
        keys,
      );
    const retryAfter = Math.max(0, ...rows.map((row) => Number(row.seconds)));
    if (retryAfter > 0) throw throttled(retryAfter);
  }

  /** Counts a failure for the account and the address; the failure that reaches a limit starts the lockout. */
  async recordFailure(email: string, ip: string | undefined): Promise<void> {
    const lockout = this.config.limits.loginLockoutSeconds;
    for (const { key, limit, kind } of this.keys(email, ip)) {
      // A window older than the lockout starts over at one failure.
      const [row] = await this.em.getConnection().execute<{ failures: number }[]>(
        `insert into login_failures (key, failures, window_started_at) values (?, 1, now())
         on conflict (key) do update set
           failures = case when login_failures.window_started_at < now() - make_interval(secs => ?) then 1 else login_failures.failures + 1 end,
           window_started_at = case when login_failures.window_started_at < now() - make_interval(secs => ?) then now() else login_failures.window_started_at end
         returning failures`,
        [key, lockout, lockout],
      );
      if (row.failures >= limit) {
        await this.em
          .getConnection()
          .execute(`update login_failures set blocked_until = now() + make_interval(secs => ?), failures = 0, window_started_at = now() where key = ?`, [lockout, key]);
        this.logger.warn({ kind, ip: kind === 'address' ? ip : undefined, lockoutSeconds: lockout }, 'Too many failed logins; locking out');
      }
    }
  }

  /** Clears the account's count after a successful login. The address count stays, so one valid account cannot reset it. */
  async recordSuccess(email: string): Promise<void> {
    await this.em.getConnection().execute('delete from login_failures where key = ? and (blocked_until is null or blocked_until <= now())', [accountKey(email)]);
  }

  private keys(email: string, ip: string | undefined): { key: string; limit: number; kind: 'account' | 'address' }[] {
    const keys: { key: string; limit: number; kind: 'account' | 'address' }[] = [{ key: accountKey(email), limit: this.config.limits.loginMaxFailures, kind: 'account' }];
    if (ip) keys.push({ key: sha256(`address:${ip}`), limit: this.config.limits.loginMaxFailuresPerAddress, kind: 'address' });
    return keys;
  }
}

function accountKey(email: string): string {
  return sha256(`account:${email.trim().toLowerCase()}`);
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function throttled(retryAfterSeconds: number): AppError {
  return new AppError(
    HttpStatus.TOO_MANY_REQUESTS,
    'LOGIN_THROTTLED',
    `Too many failed logins for this account or from this address. Wait ${retryAfterSeconds} seconds and try again, or ask an administrator to reset the password.`,
    { retryAfterSeconds },
  );
}
