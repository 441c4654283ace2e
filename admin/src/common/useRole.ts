import { usePermissions } from 'react-admin';
import { canAccess } from '../providers/canAccess';
import type { Role } from '../types';

/** Returns the signed-in user's role and a `can` shortcut that calls `canAccess` with it. */
export function useRole(): { role: Role | undefined; can: (action: string, resource: string) => boolean; isPending: boolean } {
    const { permissions, isPending } = usePermissions<Role>();
    return {
        role: permissions,
        isPending,
        can: (action, resource) => canAccess(permissions, { action, resource }),
    };
}
