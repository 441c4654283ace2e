import type { Role } from '../types';

/** Actions beyond react-admin's CRUD verbs that the panel checks. */
export type CharlaAction =
    | 'list'
    | 'show'
    | 'create'
    | 'edit'
    | 'delete'
    | 'export'
    | 'clone'
    | 'link' // connect a WhatsApp session, see its QR or ask for a pairing code
    | 'disconnect'
    | 'reply'
    | 'pick_superadmin';

const ALL = '*';
type Grants = Record<string, readonly string[] | typeof ALL>;

const AGENT: Grants = {
    dashboard: ['list', 'show'],
    sessions: ['list', 'show'],
    conversations: ['list', 'show', 'reply'],
    messages: ['list', 'show', 'create'],
    contacts: ['list', 'show'],
};

const ADMIN: Grants = {
    ...AGENT,
    sessions: ALL,
    conversations: ALL,
    messages: ALL,
    contacts: ['list', 'show'],
    users: ['list', 'show', 'create', 'edit', 'delete'],
    settings: ['show', 'edit'],
    sandbox: ALL,
    'api-keys': ['list', 'create', 'delete'],
    'audit-events': ['list'],
    automation: ['show', 'edit'],
    products: ALL,
    webhooks: ALL,
    'webhook-deliveries': ['list', 'show'],
};

const SUPERADMIN: Grants = {
    ...ADMIN,
    users: ['list', 'show', 'create', 'edit', 'delete', 'pick_superadmin'],
    tenants: ALL,
};

const GRANTS: Record<Role, Grants> = { superadmin: SUPERADMIN, admin: ADMIN, agent: AGENT };

/**
 * Returns whether a role may perform an action on a resource. The menu, the buttons and the
 * authProvider's `canAccess` all call this pure function.
 */
export function canAccess(role: Role | string | null | undefined, params: { action: string; resource: string }): boolean {
    if (!role || !(role in GRANTS)) return false;
    const resource = params.resource.split('.')[0];
    const grants = GRANTS[role as Role][resource];
    if (!grants) return false;
    return grants === ALL || grants.includes(params.action);
}
