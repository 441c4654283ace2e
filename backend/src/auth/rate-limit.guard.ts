import { EntityManager } from '@mikro-orm/postgresql';
import { ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail, ThrottlerModuleOptions } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { AppError } from '../common/app-error';
import type { AppConfig } from '../config/app-config';
import type { AuthUser } from './auth-user';
import { PostgresThrottlerStorage } from './rate-limit.storage';

const MINUTE_MS = 60_000;

const LOGIN_ROUTE = 'POST /api/auth/login';

/** Routes that send WhatsApp messages; they share one budget per tenant. */
export const SEND_ROUTES: ReadonlySet<string> = new Set([
  'POST /api/sessions/:id/messages',
  'POST /api/conversations/:id/messages',
  'POST /api/whatsapp/send',
]);

/** `METHOD /path` of the matched Express route, such as `POST /api/sessions/:id/messages`. */
function routeOf(context: ExecutionContext): string {
  if (context.getType() !== 'http') return '';
  const request = context.switchToHttp().getRequest<Request>();
  return `${request.method} ${(request.route as { path?: string } | undefined)?.path ?? ''}`;
}

/**
 * Two limits: login requests per client address, and sends per tenant. The counts are kept in
 * PostgreSQL, so several app processes share one budget.
 */
export function rateLimitOptions(config: AppConfig, em: EntityManager): ThrottlerModuleOptions {
  return {
    setHeaders: false,
    storage: new PostgresThrottlerStorage(em),
    throttlers: [
      {
        name: 'login',
        ttl: MINUTE_MS,
        limit: config.limits.loginRequestsPerMinute,
        skipIf: (context) => routeOf(context) !== LOGIN_ROUTE,
        getTracker: (request) => String(request.ip),
        generateKey: (_context, tracker) => `login:${tracker}`,
      },
      {
        name: 'send',
        ttl: MINUTE_MS,
        limit: config.limits.sendRequestsPerMinute,
        skipIf: (context) => !SEND_ROUTES.has(routeOf(context)),
        // The authentication guard runs first, so the tenant is known.
        getTracker: (request) => (request.user as AuthUser | undefined)?.tenantId ?? `address:${String(request.ip)}`,
        generateKey: (_context, tracker) => `send:${tracker}`,
      },
    ],
  };
}

/** The throttler guard with Charla's error shape and a plain `Retry-After` header. */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const retryAfterSeconds = Math.max(1, Math.ceil(detail.timeToBlockExpire));
    context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(retryAfterSeconds));

    const message = detail.key.startsWith('send:')
      ? `Your business made more than ${detail.limit} send requests in a minute through the API. Wait ${retryAfterSeconds} seconds before sending again.`
      : `Too many login requests from this address (more than ${detail.limit} a minute). Wait ${retryAfterSeconds} seconds and try again.`;
    throw new AppError(HttpStatus.TOO_MANY_REQUESTS, 'RATE_LIMITED', message, { retryAfterSeconds });
  }
}
