import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { FakeSocket } from '../test/fakeSocket';
import { TestAdmin } from '../test/TestAdmin';
import type { Message, MessageStatus } from '../types';
import { MessageThread } from './MessageThread';
import { ReplyBox } from './ReplyBox';

const CONVERSATION_ID = 'conv-1';

let sequence = 0;
function message(direction: 'in' | 'out', status: MessageStatus, content: string, minute: number): Message {
    sequence += 1;
    return {
        id: `m-${sequence}`,
        sessionId: 's1',
        conversationId: CONVERSATION_ID,
        waMessageId: `WA${sequence}`,
        direction,
        type: 'text',
        content,
        status,
        error: null,
        timestamp: new Date(Date.UTC(2026, 0, 15, 15, minute)).toISOString(),
        senderName: direction === 'in' ? 'María' : undefined,
    };
}

function setup(messages: Message[], extra: Record<string, unknown> = {}, locale: 'es' | 'en' = 'es') {
    const socket = new FakeSocket();
    const getThread = vi.fn(async () => ({ data: messages, total: messages.length }));
    render(
        <TestAdmin dataProvider={{ getThread, ...extra }} socket={socket} locale={locale}>
            <MessageThread conversationId={CONVERSATION_ID} />
            <ReplyBox conversation={{ id: CONVERSATION_ID, sessionId: 's1' }} />
        </TestAdmin>
    );
    return { socket, getThread };
}

function bubbleFor(text: string): HTMLElement {
    return screen.getByText(text).closest('[data-testid="message-bubble"]') as HTMLElement;
}

function tickOf(text: string): string | null {
    return bubbleFor(text).querySelector('[data-tick]')?.getAttribute('data-tick') ?? null;
}

describe('MessageThread', () => {
    it('shows customer messages on the left and replies on the right, oldest first', async () => {
        setup([message('in', 'received', 'Hola, ¿tienen pan?', 1), message('out', 'read', 'Sí, recién horneado', 2)]);
        await screen.findByText('Hola, ¿tienen pan?');
        const bubbles = screen.getAllByTestId('message-bubble');
        expect(bubbles.map(bubble => bubble.getAttribute('data-direction'))).toEqual(['in', 'out']);
        expect(bubbles[0].textContent).toContain('María');
        expect(within(bubbles[0]).queryByRole('img')).toBeNull();
    });

    it('draws the tick for each status', async () => {
        setup(
            [
                message('out', 'queued', 'en cola', 1),
                message('out', 'pending', 'enviando', 2),
                message('out', 'sent', 'enviado', 3),
                message('out', 'delivered', 'entregado', 4),
                message('out', 'read', 'leído', 5),
                message('out', 'failed', 'falló', 6),
            ],
            {},
            'en'
        );
        await screen.findByText('en cola');
        expect(tickOf('en cola')).toBe('clock');
        expect(tickOf('enviando')).toBe('clock');
        expect(tickOf('enviado')).toBe('single');
        expect(tickOf('entregado')).toBe('double');
        expect(tickOf('leído')).toBe('double-blue');
        expect(tickOf('falló')).toBe('failed');
        expect(within(bubbleFor('leído')).getByRole('img').getAttribute('aria-label')).toBe('Read');
        expect(within(bubbleFor('falló')).getByText('Not sent')).toBeTruthy();
    });

    it('updates ticks live and appends new messages from the realtime feed', async () => {
        const sent = message('out', 'sent', 'Su pedido sale hoy', 1);
        const { socket, getThread } = setup([sent]);
        await screen.findByText('Su pedido sale hoy');
        expect(tickOf('Su pedido sale hoy')).toBe('single');

        act(() => socket.serverEmit('message.updated', { sessionId: 's1', conversationId: CONVERSATION_ID, id: sent.id, status: 'delivered' }));
        await waitFor(() => expect(tickOf('Su pedido sale hoy')).toBe('double'));

        act(() => socket.serverEmit('message.updated', { sessionId: 's1', conversationId: CONVERSATION_ID, id: sent.id, status: 'read' }));
        await waitFor(() => expect(tickOf('Su pedido sale hoy')).toBe('double-blue'));

        const incoming = message('in', 'received', '¡Gracias!', 3);
        act(() => socket.serverEmit('message.created', { sessionId: 's1', conversationId: CONVERSATION_ID, message: incoming }));
        await screen.findByText('¡Gracias!');
        // The same event twice does not duplicate the bubble.
        act(() => socket.serverEmit('message.created', { sessionId: 's1', conversationId: CONVERSATION_ID, message: incoming }));
        expect(screen.getAllByTestId('message-bubble')).toHaveLength(2);

        // Messages of other conversations stay out.
        act(() =>
            socket.serverEmit('message.created', {
                sessionId: 's1',
                conversationId: 'conv-2',
                message: { ...message('in', 'received', 'otro chat', 4), conversationId: 'conv-2' },
            })
        );
        expect(screen.queryByText('otro chat')).toBeNull();
        expect(getThread).toHaveBeenCalledTimes(1);
    });

    it('sends on Enter, not Shift+Enter', async () => {
        const reply = vi.fn(async (_id: string, content: string) => ({ id: 'm-new', waMessageId: 'WA-new', status: 'pending', conversationId: CONVERSATION_ID, content }));
        setup([message('in', 'received', 'Hola', 1)], { reply });
        await screen.findByText('Hola');
        const box = screen.getByRole('textbox', { name: 'Escriba una respuesta' });

        fireEvent.change(box, { target: { value: 'Buenos días' } });
        fireEvent.keyDown(box, { key: 'Enter', shiftKey: true });
        expect(reply).not.toHaveBeenCalled();

        fireEvent.keyDown(box, { key: 'Enter' });
        await waitFor(() => expect(reply).toHaveBeenCalledWith(CONVERSATION_ID, 'Buenos días'));
        await screen.findByText('Buenos días');
        expect(tickOf('Buenos días')).toBe('clock');
        expect((box as HTMLTextAreaElement).value).toBe('');
    });
});
