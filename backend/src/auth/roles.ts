import { CanActivate, ExecutionContext, HttpStatus, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError } from '../common/app-error';
import type { UserRole } from '../users/user.entity';
import { AuthUser, IS_PUBLIC } from './auth-user';

export const ROLES = 'roles';

/** Limits a route to these roles. `admin` routes are open to superadmins too, since they administer their own tenant. */
export const Roles = (...roles: UserRole[]) => SetMetadata(ROLES, roles);

export function hasRole(user: Pick<AuthUser, 'role'>, allowed: readonly UserRole[]): boolean {
  if (allowed.includes(user.role)) return true;
  return user.role === 'superadmin' && allowed.includes('admin');
}

/** Global guard after authentication: routes without `@Roles` are open to every signed-in role. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;

    const allowed = this.reflector.getAllAndOverride<UserRole[] | undefined>(ROLES, [context.getHandler(), context.getClass()]);
    if (!allowed) return true;

    const user = context.switchToHttp().getRequest().user as AuthUser | undefined;
    if (user && hasRole(user, allowed)) return true;
    throw new AppError(HttpStatus.FORBIDDEN, 'FORBIDDEN', `This action needs the role ${allowed.join(' or ')}; your role is ${user?.role ?? 'none'}. Ask an administrator of your tenant.`);
  }
}
