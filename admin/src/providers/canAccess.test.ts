import { describe, expect, it } from 'vitest';
import { canAccess } from './canAccess';

describe('canAccess', () => {
    it('agent reads and replies', () => {
        expect(canAccess('agent', { action: 'list', resource: 'conversations' })).toBe(true);
        expect(canAccess('agent', { action: 'show', resource: 'conversations' })).toBe(true);
        expect(canAccess('agent', { action: 'reply', resource: 'conversations' })).toBe(true);
        expect(canAccess('agent', { action: 'list', resource: 'contacts' })).toBe(true);
        expect(canAccess('agent', { action: 'list', resource: 'sessions' })).toBe(true);
        expect(canAccess('agent', { action: 'show', resource: 'sessions' })).toBe(true);
    });

    it('agent cannot link or administer', () => {
        for (const action of ['create', 'delete', 'link', 'disconnect', 'edit']) {
            expect(canAccess('agent', { action, resource: 'sessions' })).toBe(false);
        }
        expect(canAccess('agent', { action: 'list', resource: 'users' })).toBe(false);
        expect(canAccess('agent', { action: 'list', resource: 'tenants' })).toBe(false);
        expect(canAccess('agent', { action: 'edit', resource: 'settings' })).toBe(false);
        expect(canAccess('agent', { action: 'list', resource: 'sandbox' })).toBe(false);
    });

    it('admin manages tenant, not tenants', () => {
        for (const action of ['list', 'show', 'create', 'delete', 'link', 'disconnect']) {
            expect(canAccess('admin', { action, resource: 'sessions' })).toBe(true);
        }
        expect(canAccess('admin', { action: 'create', resource: 'users' })).toBe(true);
        expect(canAccess('admin', { action: 'edit', resource: 'settings' })).toBe(true);
        expect(canAccess('admin', { action: 'list', resource: 'tenants' })).toBe(false);
        expect(canAccess('admin', { action: 'pick_superadmin', resource: 'users' })).toBe(false);
    });

    it('superadmin adds tenants and role', () => {
        for (const resource of ['sessions', 'conversations', 'contacts', 'users', 'settings']) {
            for (const action of ['list', 'show', 'edit', 'create', 'delete', 'link']) {
                if (canAccess('admin', { action, resource })) {
                    expect(canAccess('superadmin', { action, resource }), `${action} ${resource}`).toBe(true);
                }
            }
        }
        expect(canAccess('superadmin', { action: 'list', resource: 'tenants' })).toBe(true);
        expect(canAccess('superadmin', { action: 'create', resource: 'tenants' })).toBe(true);
        expect(canAccess('superadmin', { action: 'pick_superadmin', resource: 'users' })).toBe(true);
    });

    it('denies unknown roles and resources', () => {
        expect(canAccess(undefined, { action: 'list', resource: 'conversations' })).toBe(false);
        expect(canAccess('guest', { action: 'list', resource: 'conversations' })).toBe(false);
        expect(canAccess('admin', { action: 'list', resource: 'invoices' })).toBe(false);
        expect(canAccess('agent', { action: 'show', resource: 'sessions.phoneNumber' })).toBe(true);
    });
});
