import { ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { AppError } from '../common/app-error';
import { bindTenant } from '../common/tenant-context';
import { AuthUser, IS_PUBLIC } from './auth-user';

export const API_KEY_HEADER = 'x-api-key';

/**
 * Global guard: every route needs a valid bearer token or an `X-Api-Key` header unless it is
 * marked `@Public()`. When a request carries an API key, the key alone decides.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;

    const request = context.switchToHttp().getRequest<Request & { user?: AuthUser }>();
    const apiKey = request.headers[API_KEY_HEADER];
    if (apiKey !== undefined) {
      request.user = { ...(await this.apiKeys.authenticate(String(apiKey))), ip: request.ip };
      bindTenant(request.user.tenantId);
      return true;
    }

    const allowed = await (super.canActivate(context) as Promise<boolean>);
    if (request.user) {
      request.user.ip = request.ip;
      // From here on, every query of this request reads the caller's tenant only.
      bindTenant(request.user.tenantId);
    }
    return allowed;
  }

  override handleRequest<TUser>(error: unknown, user: TUser | false): TUser {
    if (error || !user) {
      throw new AppError(
        HttpStatus.UNAUTHORIZED,
        'UNAUTHORIZED',
        'A valid access token or API key is required. Log in with POST /api/auth/login and send "Authorization: Bearer <token>" (renew it with POST /api/auth/refresh), or send "X-Api-Key: <key>".',
      );
    }
    return user;
  }
}
