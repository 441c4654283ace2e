import { describe, expect, it, vi } from 'vitest';
import { createDataProvider } from './dataProvider';
import type { httpClient } from './httpClient';

function fakeClient() {
    const client = vi.fn(async (_url: string, _init?: RequestInit) => ({
        status: 200,
        headers: new Headers(),
        body: '',
        json: { id: 'm-1', waMessageId: 'WA1', status: 'pending', conversationId: 'c 1' },
    }));
    return client;
}

function call(client: ReturnType<typeof fakeClient>, index = 0) {
    const [url, init] = client.mock.calls[index];
    return { url, method: init?.method, body: init?.body ? JSON.parse(String(init.body)) : undefined };
}

describe('message calls', () => {
    it('reply wraps a string as content', async () => {
        const client = fakeClient();
        await createDataProvider(client as unknown as typeof httpClient, '/api').reply('c 1', 'Hola');
        expect(call(client)).toEqual({ url: '/api/conversations/c%201/messages', method: 'POST', body: { content: 'Hola' } });
    });

    it('reply posts other bodies unchanged', async () => {
        const client = fakeClient();
        const provider = createDataProvider(client as unknown as typeof httpClient, '/api');
        await provider.reply('c1', { type: 'location', latitude: 4.6, longitude: -74.1, name: 'Tienda', replyTo: 'm-0' });
        await provider.reply('c1', { type: 'reaction', messageId: 'm-0', emoji: '' });
        expect(call(client, 0).body).toEqual({ type: 'location', latitude: 4.6, longitude: -74.1, name: 'Tienda', replyTo: 'm-0' });
        expect(call(client, 1).body).toEqual({ type: 'reaction', messageId: 'm-0', emoji: '' });
    });

    it('edit and delete use /messages/:id', async () => {
        const client = fakeClient();
        const provider = createDataProvider(client as unknown as typeof httpClient, '/api');
        await provider.editMessage('m-1', 'Corregido');
        await provider.deleteMessage('m-1');
        expect(call(client, 0)).toEqual({ url: '/api/messages/m-1', method: 'PATCH', body: { content: 'Corregido' } });
        expect(call(client, 1)).toEqual({ url: '/api/messages/m-1', method: 'DELETE', body: undefined });
    });
});
