import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { UserRole } from '../users/user.entity';

/**
 * The caller of a request, as the JWT strategy or the API key check resolved it. For an API key,
 * `apiKeyId` is set, `id` is the key's id rather than a user's, `name` is the key's name and `email` is empty.
 */
export interface AuthUser {
  id: string;
  tenantId: string;
  email: string;
  name: string;
  role: UserRole;
  apiKeyId?: string;
  /** Client address of the request, for the audit log. */
  ip?: string;
}

export interface JwtPayload {
  sub: string;
  tenantId: string;
  role: UserRole;
  /** The user's `token_version` when the token was issued. Tokens issued before versions existed have none, read as 0. */
  ver?: number;
}

export const IS_PUBLIC = 'isPublic';

/** Marks a route that needs no token (login, health, API docs). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): AuthUser => {
  return context.switchToHttp().getRequest().user;
});
