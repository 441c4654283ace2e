import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TestAdmin } from '../test/TestAdmin';
import type { Message } from '../types';
import { ComposerProvider } from './ComposerContext';
import { validLocation } from './LocationDialog';
import { MessageThread } from './MessageThread';
import { ReplyBox } from './ReplyBox';

const CONVERSATION_ID = 'conv-1';

function incoming(id: string, content: string, extra: Partial<Message> = {}): Message {
    return {
        id,
        sessionId: 's1',
        conversationId: CONVERSATION_ID,
        waMessageId: `WA-${id}`,
        direction: 'in',
        type: 'text',
        content,
        status: 'received',
        error: null,
        timestamp: new Date(Date.UTC(2026, 0, 15, 15, 0)).toISOString(),
        senderName: 'María',
        reactions: [],
        ...extra,
    };
}

function setup(messages: Message[], locale: 'es' | 'en' = 'es') {
    const getThread = vi.fn(async () => ({ data: messages, total: messages.length }));
    let counter = 0;
    const reply = vi.fn(async (_id: string, _body: unknown) => {
        counter += 1;
        return { id: `sent-${counter}`, waMessageId: `WA-sent-${counter}`, status: 'pending', conversationId: CONVERSATION_ID };
    });
    render(
        <TestAdmin dataProvider={{ getThread, reply }} locale={locale}>
            <ComposerProvider>
                <MessageThread conversationId={CONVERSATION_ID} />
                <ReplyBox conversation={{ id: CONVERSATION_ID, sessionId: 's1' }} />
            </ComposerProvider>
        </TestAdmin>
    );
    return { reply, getThread };
}

function bubbleWith(text: string): HTMLElement {
    return screen.getAllByText(text)[0].closest('[data-testid="message-bubble"]') as HTMLElement;
}

const realGeolocation = Object.getOwnPropertyDescriptor(navigator, 'geolocation');

afterEach(() => {
    if (realGeolocation) Object.defineProperty(navigator, 'geolocation', realGeolocation);
    else delete (navigator as unknown as Record<string, unknown>).geolocation;
});

describe('message actions', () => {
    it('reply sends replyTo and quotes', async () => {
        const { reply } = setup([incoming('m-1', '¿Tienen pan integral?')]);
        await screen.findByText('¿Tienen pan integral?');
        fireEvent.click(within(bubbleWith('¿Tienen pan integral?')).getByRole('button', { name: 'Responder' }));

        const bar = await screen.findByTestId('replying-to');
        expect(bar.textContent).toContain('Respondiendo a María');
        expect(bar.textContent).toContain('¿Tienen pan integral?');

        const box = screen.getByRole('textbox', { name: 'Escriba una respuesta' });
        fireEvent.change(box, { target: { value: 'Sí, hasta las 6' } });
        fireEvent.keyDown(box, { key: 'Enter' });
        await waitFor(() => expect(reply).toHaveBeenCalledWith(CONVERSATION_ID, { content: 'Sí, hasta las 6', replyTo: 'm-1' }));

        await screen.findByText('Sí, hasta las 6');
        const sent = bubbleWith('Sí, hasta las 6');
        expect(sent.getAttribute('data-direction')).toBe('out');
        expect(sent.querySelector('[data-tick]')?.getAttribute('data-tick')).toBe('clock');
        expect(within(sent).getByTestId('message-quote').textContent).toContain('¿Tienen pan integral?');
        expect(screen.queryByTestId('replying-to')).toBeNull();
    });

    it('cancels a reply, and then sends plain text', async () => {
        const { reply } = setup([incoming('m-1', 'Hola')], 'en');
        await screen.findByText('Hola');
        fireEvent.click(within(bubbleWith('Hola')).getByRole('button', { name: 'Reply' }));
        expect((await screen.findByTestId('replying-to')).textContent).toContain('Replying to María');
        fireEvent.click(screen.getByRole('button', { name: 'Cancel the reply' }));
        expect(screen.queryByTestId('replying-to')).toBeNull();

        const box = screen.getByRole('textbox', { name: 'Write a reply' });
        fireEvent.change(box, { target: { value: 'Good morning' } });
        fireEvent.keyDown(box, { key: 'Enter' });
        await waitFor(() => expect(reply).toHaveBeenCalledWith(CONVERSATION_ID, 'Good morning'));
    });

    it('reaction toggles off when repeated', async () => {
        const { reply } = setup([incoming('m-1', 'Llegó el pedido', { reactions: [{ by: '573001112233@s.whatsapp.net', emoji: '👍' }] })]);
        await screen.findByText('Llegó el pedido');

        fireEvent.click(within(bubbleWith('Llegó el pedido')).getByRole('button', { name: 'Reaccionar' }));
        const picker = await screen.findByRole('group', { name: 'Reaccionar' });
        expect(within(picker).getAllByRole('button').map(button => button.textContent)).toEqual(['👍', '❤️', '😂', '😮', '😢', '🙏']);
        fireEvent.click(within(picker).getByRole('button', { name: '👍' }));
        await waitFor(() => expect(reply).toHaveBeenCalledWith(CONVERSATION_ID, { type: 'reaction', messageId: 'm-1', emoji: '👍' }));
        await waitFor(() => expect(screen.getAllByTestId('reaction-chip').map(chip => chip.textContent)).toEqual(['👍2']));
        expect(screen.getByTestId('reaction-chip').getAttribute('data-mine')).toBe('true');

        fireEvent.click(within(bubbleWith('Llegó el pedido')).getByRole('button', { name: 'Reaccionar' }));
        const again = await screen.findByRole('group', { name: 'Reaccionar' });
        const current = within(again).getByRole('button', { name: 'Quitar la reacción 👍' });
        expect(current.getAttribute('aria-pressed')).toBe('true');
        fireEvent.click(current);
        await waitFor(() => expect(reply).toHaveBeenLastCalledWith(CONVERSATION_ID, { type: 'reaction', messageId: 'm-1', emoji: '' }));
        await waitFor(() => expect(screen.getAllByTestId('reaction-chip').map(chip => chip.textContent)).toEqual(['👍1']));
        expect(reply).toHaveBeenCalledTimes(2);
    });

    it('sends a typed location and shows it with a map link', async () => {
        Object.defineProperty(navigator, 'geolocation', { value: undefined, configurable: true });
        const { reply } = setup([incoming('m-1', 'Hola')]);
        await screen.findByText('Hola');
        fireEvent.click(screen.getByRole('button', { name: 'Enviar una ubicación' }));
        const dialog = await screen.findByRole('dialog');
        expect(within(dialog).queryByRole('button', { name: 'Usar mi ubicación actual' })).toBeNull();
        const send = within(dialog).getByRole('button', { name: 'Enviar ubicación' });
        expect((send as HTMLButtonElement).disabled).toBe(true);

        fireEvent.change(within(dialog).getByRole('textbox', { name: /Latitud/ }), { target: { value: '4,6097' } });
        fireEvent.change(within(dialog).getByRole('textbox', { name: /Longitud/ }), { target: { value: '-74.0817' } });
        fireEvent.change(within(dialog).getByRole('textbox', { name: /Nombre del lugar/ }), { target: { value: 'Panadería' } });
        fireEvent.click(send);

        await waitFor(() =>
            expect(reply).toHaveBeenCalledWith(CONVERSATION_ID, { type: 'location', latitude: 4.6097, longitude: -74.0817, name: 'Panadería' })
        );
        await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
        const bubble = screen.getAllByTestId('message-bubble').find(item => item.getAttribute('data-type') === 'location')!;
        expect(bubble.getAttribute('data-direction')).toBe('out');
        expect(within(bubble).getByRole('link').getAttribute('href')).toContain('mlat=4.6097&mlon=-74.0817');
    });

    it('location from geolocation with replyTo', async () => {
        const getCurrentPosition = vi.fn((success: PositionCallback) =>
            success({ coords: { latitude: 40.4168, longitude: -3.7038 } } as GeolocationPosition)
        );
        Object.defineProperty(navigator, 'geolocation', { value: { getCurrentPosition }, configurable: true });
        const { reply } = setup([incoming('m-1', '¿Dónde están?')], 'en');
        await screen.findByText('¿Dónde están?');
        fireEvent.click(within(bubbleWith('¿Dónde están?')).getByRole('button', { name: 'Reply' }));
        fireEvent.click(screen.getByRole('button', { name: 'Send a location' }));
        const dialog = await screen.findByRole('dialog');
        fireEvent.click(within(dialog).getByRole('button', { name: 'Use my current location' }));
        expect(getCurrentPosition).toHaveBeenCalled();
        await waitFor(() => expect((within(dialog).getByRole('textbox', { name: /Latitude/ }) as HTMLInputElement).value).toBe('40.4168'));
        fireEvent.click(within(dialog).getByRole('button', { name: 'Send location' }));
        await waitFor(() =>
            expect(reply).toHaveBeenCalledWith(CONVERSATION_ID, { type: 'location', latitude: 40.4168, longitude: -3.7038, replyTo: 'm-1' })
        );
    });

    it('location rejects bad coordinates', async () => {
        expect(validLocation('91', '0')).toBeNull();
        expect(validLocation('0', '-181')).toBeNull();
        expect(validLocation('abc', '1')).toBeNull();
        expect(validLocation('-33.45', '-70.66')).toEqual({ latitude: -33.45, longitude: -70.66 });

        const getCurrentPosition = vi.fn((_success: PositionCallback, failure?: PositionErrorCallback | null) =>
            failure?.({ code: 1, message: 'denied' } as GeolocationPositionError)
        );
        Object.defineProperty(navigator, 'geolocation', { value: { getCurrentPosition }, configurable: true });
        setup([incoming('m-1', 'Hola')]);
        await screen.findByText('Hola');
        fireEvent.click(screen.getByRole('button', { name: 'Enviar una ubicación' }));
        const dialog = await screen.findByRole('dialog');
        fireEvent.click(within(dialog).getByRole('button', { name: 'Usar mi ubicación actual' }));
        expect((await within(dialog).findByRole('alert')).textContent).toContain('No se pudo obtener su ubicación');
        fireEvent.change(within(dialog).getByRole('textbox', { name: /Latitud/ }), { target: { value: '95' } });
        fireEvent.change(within(dialog).getByRole('textbox', { name: /Longitud/ }), { target: { value: '10' } });
        fireEvent.blur(within(dialog).getByRole('textbox', { name: /Longitud/ }));
        expect(within(dialog).getByText('La latitud va de -90 a 90 y la longitud de -180 a 180.')).toBeTruthy();
        expect((within(dialog).getByRole('button', { name: 'Enviar ubicación' }) as HTMLButtonElement).disabled).toBe(true);
    });
});
