import { act, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { FakeSocket } from '../test/fakeSocket';
import { TestAdmin } from '../test/TestAdmin';
import type { Message } from '../types';
import { ComposerProvider } from './ComposerContext';
import { phoneFromVcard } from './MessageContent';
import { MessageThread } from './MessageThread';

const CONVERSATION_ID = 'conv-1';

let sequence = 0;
function message(extra: Partial<Message>): Message {
    sequence += 1;
    return {
        id: `t-${sequence}`,
        sessionId: 's1',
        conversationId: CONVERSATION_ID,
        waMessageId: `WAT${sequence}`,
        direction: 'in',
        type: 'text',
        content: null,
        status: 'received',
        error: null,
        timestamp: new Date(Date.UTC(2026, 0, 15, 15, sequence % 60)).toISOString(),
        senderName: 'María',
        data: null,
        quotedMessageId: null,
        reactions: [],
        editedAt: null,
        deletedAt: null,
        ...extra,
    };
}

function renderThread(messages: Message[], locale: 'es' | 'en' = 'es') {
    const socket = new FakeSocket();
    const getThread = vi.fn(async () => ({ data: messages, total: messages.length }));
    render(
        <TestAdmin dataProvider={{ getThread }} socket={socket} locale={locale}>
            <ComposerProvider>
                <MessageThread conversationId={CONVERSATION_ID} />
            </ComposerProvider>
        </TestAdmin>
    );
    return { socket };
}

async function bubbles(): Promise<HTMLElement[]> {
    return screen.findAllByTestId('message-bubble');
}

function bubbleWith(text: string): HTMLElement {
    return screen.getByText(text).closest('[data-testid="message-bubble"]') as HTMLElement;
}

const VCARD = 'BEGIN:VCARD\nVERSION:3.0\nFN:Pedro Gómez\nTEL;type=CELL;type=VOICE;waid=573001112233:+57 300 1112233\nEND:VCARD';

describe('message types', () => {
    it('reads the number of a vCard from waid, else from the TEL value', () => {
        expect(phoneFromVcard(VCARD)).toBe('+573001112233');
        expect(phoneFromVcard('BEGIN:VCARD\nFN:Ana\nTEL;TYPE=CELL:+34 600 000 000\nEND:VCARD')).toBe('+34 600 000 000');
        expect(phoneFromVcard('BEGIN:VCARD\nFN:Ana\nEND:VCARD')).toBeNull();
        expect(phoneFromVcard(undefined)).toBeNull();
    });

    it('renders a location with a map link that opens in a new tab', async () => {
        renderThread([
            message({ type: 'location', content: 'Panadería', data: { latitude: 4.6097, longitude: -74.0817, name: 'Panadería', address: 'Calle 10 # 5-20' } }),
            message({ type: 'liveLocation', data: { latitude: 4.61, longitude: -74.08 } }),
        ]);
        const [place, live] = await bubbles();
        expect(place.textContent).toContain('📍 Ubicación');
        expect(place.textContent).toContain('Panadería');
        expect(place.textContent).toContain('Calle 10 # 5-20');
        const link = within(place).getByRole('link');
        expect(link.getAttribute('href')).toMatch(/^https:\/\/www\.openstreetmap\.org\/\?mlat=4\.6097&mlon=-74\.0817/);
        expect(link.getAttribute('target')).toBe('_blank');
        expect(link.getAttribute('rel')).toContain('noopener');
        expect(live.textContent).toContain('Ubicación en tiempo real');
        expect(within(live).getByRole('link').getAttribute('href')).toContain('mlat=4.61&mlon=-74.08');
    });

    it('renders contact cards with the number from the vCard', async () => {
        renderThread([message({ type: 'contact', content: 'Pedro Gómez', data: { contacts: [{ name: 'Pedro Gómez', vcard: VCARD }] } })], 'en');
        const [bubble] = await bubbles();
        expect(bubble.textContent).toContain('Contact');
        const card = within(bubble).getByTestId('contact-card');
        expect(card.textContent).toContain('Pedro Gómez');
        expect(within(card).getByRole('link').textContent).toBe('+573001112233');
    });

    it('renders a poll with its options', async () => {
        renderThread([message({ type: 'poll', content: '¿Qué pan?', data: { name: '¿Qué pan prefiere?', options: ['Integral', 'Blanco', { name: 'Centeno' }], multiple: true } })]);
        const [bubble] = await bubbles();
        expect(bubble.textContent).toContain('📊 Encuesta');
        expect(bubble.textContent).toContain('¿Qué pan prefiere?');
        expect(within(bubble).getAllByTestId('poll-option').map(item => item.textContent)).toEqual(['Integral', 'Blanco', 'Centeno']);
        expect(within(bubble).queryAllByTestId('poll-votes')).toHaveLength(0);
        expect(bubble.textContent).toContain('Se pueden elegir varias opciones');
    });

    it.each([
        ['es', ['Integral2 votos', 'Blanco', 'Centeno1 voto']],
        ['en', ['Integral2 votes', 'Blanco', 'Centeno1 vote']],
    ] as const)('counts the votes of a poll in %s', async (locale, expected) => {
        const votes = [
            { by: '573001112233@s.whatsapp.net', options: ['Integral', 'Centeno'] },
            { by: '573004445566@s.whatsapp.net', options: ['Integral'] },
        ];
        renderThread([message({ type: 'poll', content: '¿Qué pan?', data: { name: '¿Qué pan?', options: ['Integral', 'Blanco', 'Centeno'], multiple: true, votes } })], locale);
        const [bubble] = await bubbles();
        expect(within(bubble).getAllByRole('listitem').map(item => item.textContent)).toEqual(expected);
    });

    it('renders the link preview under the text', async () => {
        renderThread([
            message({
                content: 'Mire https://example.com/pan',
                data: { linkPreview: { url: 'https://example.com/pan', title: 'Pan de masa madre', description: 'Horneado cada mañana' } },
            }),
        ]);
        const [bubble] = await bubbles();
        const preview = within(bubble).getByTestId('link-preview');
        expect(within(preview).getByRole('link', { name: 'Pan de masa madre' }).getAttribute('href')).toBe('https://example.com/pan');
        expect(preview.textContent).toContain('Horneado cada mañana');
    });

    it('renders button and list replies with what was chosen', async () => {
        renderThread([
            message({ type: 'buttonReply', content: 'Sí, confirmo', data: { id: 'yes' } }),
            message({ type: 'listReply', content: 'Envío a domicilio', data: { id: 'delivery' } }),
        ], 'en');
        const [button, list] = await bubbles();
        expect(button.textContent).toContain('Button reply');
        expect(button.textContent).toContain('Sí, confirmo');
        expect(list.textContent).toContain('Chosen from a list');
        expect(list.textContent).toContain('Envío a domicilio');
    });

    it('renders placeholders for media, with the caption, in both languages', async () => {
        const media = [
            message({ type: 'image', content: 'El pastel', data: { mimetype: 'image/jpeg' } }),
            message({ type: 'video', content: null, data: { mimetype: 'video/mp4' } }),
            message({ type: 'audio', content: null, data: { mimetype: 'audio/ogg', voiceNote: true } }),
            message({ type: 'document', content: 'factura.pdf', data: { mimetype: 'application/pdf' } }),
            message({ type: 'sticker', content: null, data: { mimetype: 'image/webp' } }),
        ];
        renderThread(media);
        const spanish = (await bubbles()).map(bubble => bubble.textContent);
        expect(spanish[0]).toContain('📷 Foto');
        expect(spanish[0]).toContain('El pastel');
        expect(spanish[1]).toContain('🎥 Video');
        expect(spanish[2]).toContain('🎤 Nota de voz');
        expect(spanish[3]).toContain('📄 Documento');
        expect(spanish[3]).toContain('factura.pdf');
        expect(spanish[4]).toContain('Sticker');
    });

    it('renders media placeholders in English', async () => {
        renderThread([message({ type: 'image', content: 'The cake' }), message({ type: 'audio', content: null, data: { voiceNote: false } })], 'en');
        const [image, audio] = await bubbles();
        expect(image.textContent).toContain('📷 Photo');
        expect(image.textContent).toContain('The cake');
        expect(audio.textContent).toContain('🎵 Audio');
    });

    it('never leaves a bubble empty for undecryptable or unknown messages', async () => {
        renderThread([
            message({ type: 'undecryptable' }),
            message({ type: 'unknown', data: { messageType: 'eventMessage' } }),
            message({ type: 'text', content: null }),
        ]);
        const [undecryptable, unknown, empty] = await bubbles();
        expect(undecryptable.textContent).toContain('no se pudo descifrar');
        expect(unknown.textContent).toContain('eventMessage');
        expect(empty.textContent).toContain('Mensaje de tipo text');
    });

    it('shows the quoted message, or a placeholder when it is not loaded', async () => {
        const original = message({ content: '¿Tienen pan integral?' });
        renderThread([
            original,
            message({ direction: 'out', status: 'read', content: 'Sí, hasta las 6', quotedMessageId: original.id, senderName: undefined }),
            message({ direction: 'out', status: 'read', content: 'Respuesta a algo viejo', quotedMessageId: 'old-id', senderName: undefined }),
        ]);
        await screen.findByText('Sí, hasta las 6');
        const quote = within(bubbleWith('Sí, hasta las 6')).getByTestId('message-quote');
        expect(quote.textContent).toContain('¿Tienen pan integral?');
        expect(quote.textContent).toContain('María');
        expect(within(bubbleWith('Respuesta a algo viejo')).getByTestId('message-quote').textContent).toContain('Mensaje citado');
        expect(within(screen.getAllByTestId('message-bubble')[0]).queryByTestId('message-quote')).toBeNull();
    });

    it('finds the quoted message by its WhatsApp id too', async () => {
        const original = message({ content: 'Original' });
        renderThread([original, message({ content: 'Cita', quotedMessageId: original.waMessageId })], 'en');
        await screen.findByText('Cita');
        expect(within(bubbleWith('Cita')).getByTestId('message-quote').textContent).toContain('Original');
    });

    it('shows reactions as chips with counts', async () => {
        renderThread([
            message({
                content: 'Llegó el pedido',
                reactions: [
                    { by: '573001112233@s.whatsapp.net', emoji: '👍', at: '2026-01-15T15:00:00Z' },
                    { by: 'me', emoji: '👍', at: '2026-01-15T15:01:00Z' },
                    { by: '573009998877@s.whatsapp.net', emoji: '❤️', at: '2026-01-15T15:02:00Z' },
                ],
            }),
        ]);
        await screen.findByText('Llegó el pedido');
        const list = within(bubbleWith('Llegó el pedido')).getByRole('list', { name: 'Reacciones' });
        const chips = within(list).getAllByTestId('reaction-chip');
        expect(chips.map(chip => chip.textContent)).toEqual(['👍2', '❤️1']);
        expect(chips[0].getAttribute('data-mine')).toBe('true');
        expect(chips[1].getAttribute('data-mine')).toBeNull();
    });

    it('marks edited messages and replaces deleted ones in both languages', async () => {
        renderThread([
            message({ content: 'Mañana abrimos a las 8', editedAt: '2026-01-15T16:00:00Z' }),
            message({ content: 'secreto', deletedAt: '2026-01-15T16:00:00Z', reactions: [{ by: 'me', emoji: '😮' }] }),
        ]);
        const [edited, deleted] = await bubbles();
        expect(within(edited).getByTestId('message-edited').textContent).toBe('editado');
        expect(deleted.textContent).toContain('Este mensaje fue eliminado');
        expect(deleted.textContent).not.toContain('secreto');
        expect(within(deleted).queryByTestId('reaction-chip')).toBeNull();
        expect(within(deleted).queryByRole('button', { name: 'Responder' })).toBeNull();
    });

    it('says "edited" and "This message was deleted" in English', async () => {
        renderThread([message({ content: 'Fixed', editedAt: '2026-01-15T16:00:00Z' }), message({ content: 'gone', deletedAt: '2026-01-15T16:00:00Z' })], 'en');
        const [edited, deleted] = await bubbles();
        expect(edited.textContent).toContain('edited');
        expect(deleted.textContent).toContain('This message was deleted');
    });

    it('applies live reactions, edits and deletions from message.updated', async () => {
        const target = message({ content: 'Hola, ¿a qué hora abren?' });
        const { socket } = renderThread([target]);
        await screen.findByText('Hola, ¿a qué hora abren?');
        const event = { sessionId: 's1', conversationId: CONVERSATION_ID, id: target.id };

        act(() => socket.serverEmit('message.updated', { ...event, reactions: [{ by: 'me', emoji: '🙏', at: '2026-01-15T16:00:00Z' }] }));
        await waitFor(() => expect(screen.getAllByTestId('reaction-chip').map(chip => chip.textContent)).toEqual(['🙏1']));

        act(() => socket.serverEmit('message.updated', { ...event, content: 'Hola, ¿a qué hora cierran?', editedAt: '2026-01-15T16:01:00Z' }));
        await screen.findByText('Hola, ¿a qué hora cierran?');
        expect(screen.getByTestId('message-edited')).toBeTruthy();

        act(() => socket.serverEmit('message.updated', { ...event, deletedAt: '2026-01-15T16:02:00Z' }));
        await screen.findByText(/Este mensaje fue eliminado/);
        expect(screen.queryByText('Hola, ¿a qué hora cierran?')).toBeNull();
        expect(screen.getAllByTestId('message-bubble')).toHaveLength(1);
    });
});
