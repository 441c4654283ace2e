import { QueryClient } from '@tanstack/react-query';
import type { GetListResult } from 'react-admin';
import { describe, expect, it } from 'vitest';
import type { Conversation, Session } from '../types';
import { applySessionQr, applySessionStatus, conversationMatches, upsertConversation } from './cacheUpdates';
import { queryKeys } from './queryKeys';

function conversation(id: string, minute: number, extra: Partial<Conversation> = {}): Conversation {
    return {
        id,
        sessionId: 's1',
        contact: { id: `c-${id}`, name: `Cliente ${id}`, phoneNumber: '+573000000001' },
        lastMessageAt: new Date(Date.UTC(2026, 0, 1, 10, minute)).toISOString(),
        lastMessagePreview: `preview ${id}`,
        unreadCount: 0,
        ...extra,
    };
}

const listKey = (filter: Record<string, unknown> = {}, page = 1) => [
    'conversations',
    'getList',
    { pagination: { page, perPage: 3 }, sort: { field: 'lastMessageAt', order: 'DESC' }, filter },
];

function seed(queryClient: QueryClient, key: unknown[], data: Conversation[]) {
    queryClient.setQueryData<GetListResult<Conversation>>(key, { data, total: data.length });
}

function ids(queryClient: QueryClient, key: unknown[]): string[] {
    return queryClient.getQueryData<GetListResult<Conversation>>(key)!.data.map(item => String(item.id));
}

describe('realtime cache updates', () => {
    it('moves an updated conversation to the top', () => {
        const queryClient = new QueryClient();
        seed(queryClient, listKey(), [conversation('a', 3), conversation('b', 2), conversation('c', 1)]);
        upsertConversation(queryClient, conversation('c', 9, { unreadCount: 2, lastMessagePreview: 'nuevo' }));
        expect(ids(queryClient, listKey())).toEqual(['c', 'a', 'b']);
        const top = queryClient.getQueryData<GetListResult<Conversation>>(listKey())!.data[0];
        expect(top.unreadCount).toBe(2);
        expect(top.lastMessagePreview).toBe('nuevo');
    });

    it('puts a brand-new conversation on the first page and keeps the page size', () => {
        const queryClient = new QueryClient();
        seed(queryClient, listKey(), [conversation('a', 3), conversation('b', 2), conversation('c', 1)]);
        upsertConversation(queryClient, conversation('d', 9));
        expect(ids(queryClient, listKey())).toEqual(['d', 'a', 'b']);
        expect(queryClient.getQueryData<GetListResult<Conversation>>(listKey())!.total).toBe(4);
    });

    it('leaves lists filtered on another connection or search alone', () => {
        const queryClient = new QueryClient();
        const otherSession = listKey({ sessionId: 's2' });
        const search = listKey({ q: 'pedro' });
        seed(queryClient, otherSession, [conversation('x', 1, { sessionId: 's2' })]);
        seed(queryClient, search, []);
        upsertConversation(queryClient, conversation('d', 9));
        expect(ids(queryClient, otherSession)).toEqual(['x']);
        expect(ids(queryClient, search)).toEqual([]);
    });

    it('matches search by name without accents and by number digits', () => {
        const item = conversation('a', 1, { contact: { id: 'c', name: 'José Pérez', phoneNumber: '+573001234567' } });
        expect(conversationMatches(item, { filter: { q: 'jose' } })).toBe(true);
        expect(conversationMatches(item, { filter: { q: '300 123' } })).toBe(true);
        expect(conversationMatches(item, { filter: { q: 'maria' } })).toBe(false);
        expect(conversationMatches(item, { filter: { somethingElse: 1 } })).toBeUndefined();
    });

    it('stores the QR and patches the status', () => {
        const queryClient = new QueryClient();
        const session = { id: 's1', name: 'Ventas', status: 'connecting' } as Session;
        queryClient.setQueryData(['sessions', 'getOne', { id: 's1' }], session);
        applySessionQr(queryClient, { sessionId: 's1', qr: '2@a', qrDataUrl: 'data:a', expiresAt: '2030-01-01T00:00:00Z' });
        expect(queryClient.getQueryData(queryKeys.qr('s1'))).toMatchObject({ qr: '2@a' });
        expect(queryClient.getQueryData<Session>(['sessions', 'getOne', { id: 's1' }])!.status).toBe('qr');

        applySessionStatus(queryClient, { sessionId: 's1', status: 'connected', phoneNumber: '+573000000001', reason: null });
        expect(queryClient.getQueryData(queryKeys.qr('s1'))).toBeUndefined();
        const updated = queryClient.getQueryData<Session>(['sessions', 'getOne', { id: 's1' }])!;
        expect(updated.status).toBe('connected');
        expect(updated.phoneNumber).toBe('+573000000001');
    });
});
