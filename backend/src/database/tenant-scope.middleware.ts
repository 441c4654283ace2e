import { Injectable, NestMiddleware } from '@nestjs/common';
import { runUnscoped } from '../common/tenant-context';

/**
 * Gives each HTTP request its own empty tenant scope, which the auth guard binds to the caller's
 * tenant. A public route that reads tenant data has to pick a scope itself, or its queries fail.
 */
@Injectable()
export class TenantScopeMiddleware implements NestMiddleware {
  use(_request: unknown, _response: unknown, next: () => void): void {
    runUnscoped(next);
  }
}
