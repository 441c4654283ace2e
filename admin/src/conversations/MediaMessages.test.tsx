import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeSocket } from '../test/fakeSocket';
import { TestAdmin } from '../test/TestAdmin';
import type { Message } from '../types';
import { ComposerProvider } from './ComposerContext';
import { formatBytes } from './MediaView';
import { MessageThread } from './MessageThread';
import { mediaTypeForFile, ReplyBox } from './ReplyBox';

const CONVERSATION_ID = 'conv-media';

let sequence = 0;
function message(extra: Partial<Message>): Message {
    sequence += 1;
    return {
        id: `media-${sequence}`,
        sessionId: 's1',
        conversationId: CONVERSATION_ID,
        waMessageId: `WAM${sequence}`,
        direction: 'in',
        type: 'image',
        content: null,
        status: 'received',
        error: null,
        timestamp: new Date(Date.UTC(2026, 0, 15, 15, sequence % 60)).toISOString(),
        senderName: 'María',
        data: null,
        ...extra,
    };
}

const stored = (extra: Record<string, unknown>) => ({ media: { id: 'f1', status: 'stored', url: '/api/media/f1?expires=1&signature=s', ...extra } });

function setup(messages: Message[], extra: Record<string, unknown> = {}, locale: 'es' | 'en' = 'es') {
    const socket = new FakeSocket();
    const getThread = vi.fn(async () => ({ data: messages, total: messages.length }));
    const sendMedia = vi.fn(async () => ({ id: 'sent-1', waMessageId: null, status: 'queued', conversationId: CONVERSATION_ID }));
    render(
        <TestAdmin dataProvider={{ getThread, sendMedia, ...extra }} socket={socket} locale={locale}>
            <ComposerProvider>
                <MessageThread conversationId={CONVERSATION_ID} />
                <ReplyBox conversation={{ id: CONVERSATION_ID, sessionId: 's1' }} />
            </ComposerProvider>
        </TestAdmin>
    );
    return { sendMedia };
}

afterEach(() => {
    vi.unstubAllGlobals();
});

describe('media in the thread', () => {
    it('previews images and stickers from their signed URL', async () => {
        setup([
            message({ type: 'image', content: 'El pastel', data: stored({ mimeType: 'image/jpeg', size: 2048 }) }),
            message({ type: 'sticker', data: stored({ id: 'f2', url: '/api/media/f2?expires=1&signature=t', mimeType: 'image/webp' }) }),
        ]);
        const image = await screen.findByTestId('media-image');
        expect(image.getAttribute('src')).toBe('/api/media/f1?expires=1&signature=s');
        expect(screen.getByText('El pastel')).toBeTruthy();
        expect(screen.getByTestId('media-sticker').getAttribute('src')).toBe('/api/media/f2?expires=1&signature=t');
    });

    it('plays video and labels a voice note', async () => {
        setup([
            message({ type: 'video', data: stored({ mimeType: 'video/mp4' }) }),
            message({ type: 'audio', data: stored({ id: 'f3', url: '/api/media/f3?x', mimeType: 'audio/ogg; codecs=opus', ptt: true }) }),
        ]);
        expect((await screen.findByTestId('media-video')).tagName).toBe('VIDEO');
        const voice = screen.getByTestId('media-voice-note');
        expect(voice.tagName).toBe('AUDIO');
        expect(voice.getAttribute('src')).toBe('/api/media/f3?x');
        expect(voice.hasAttribute('controls')).toBe(true);
        expect(screen.getByText('🎤 Nota de voz')).toBeTruthy();
    });

    it('links a document with its name and size', async () => {
        setup([message({ type: 'document', content: 'factura.pdf', data: stored({ mimeType: 'application/pdf', size: 1536, fileName: 'factura.pdf' }) })]);
        const document = await screen.findByTestId('media-document');
        const link = within(document).getByRole('link', { name: 'factura.pdf' });
        expect(link.getAttribute('href')).toBe('/api/media/f1?expires=1&signature=s');
        expect(link.getAttribute('download')).toBe('factura.pdf');
        expect(document.textContent).toContain('2 KB · application/pdf');
        // The file name is not repeated as a caption.
        expect(screen.getAllByText('factura.pdf')).toHaveLength(1);
    });

    it('says why a file is missing, in both languages', async () => {
        setup([message({ type: 'document', data: { media: { status: 'too_large', size: 99_000_000, mimeType: 'application/pdf', reason: 'limit' } } })], {}, 'en');
        expect((await screen.findByTestId('media-status')).textContent).toBe('The file is larger than allowed and was not stored.');
    });

    it('shows a downloading note while the file is pending', async () => {
        setup([message({ type: 'image', data: { media: { status: 'pending', mimeType: 'image/jpeg', size: 10 } } })]);
        expect((await screen.findByTestId('media-status')).textContent).toBe('Descargando el archivo…');
        expect(screen.queryByTestId('media-image')).toBeNull();
    });

    it('formats sizes', () => {
        expect([formatBytes(512), formatBytes(12_288), formatBytes(3_565_158), formatBytes(undefined)]).toEqual(['512 B', '12 KB', '3.4 MB', '']);
    });
});

describe('attaching files in the reply box', () => {
    it('picks the message type from the file type', () => {
        expect(['image/png', 'image/webp', 'video/mp4', 'audio/ogg', 'application/pdf', 'image/svg+xml'].map(type => mediaTypeForFile({ type }))).toEqual([
            'image',
            'image',
            'video',
            'audio',
            'document',
            'document',
        ]);
    });

    it('sends a chosen photo with the typed caption', async () => {
        const { sendMedia } = setup([]);
        const photo = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], 'pastel.png', { type: 'image/png' });
        fireEvent.change(await screen.findByTestId('attach-input'), { target: { files: [photo] } });
        expect((await screen.findByTestId('attachment')).textContent).toContain('pastel.png');
        expect(screen.getByText('Se enviará como foto')).toBeTruthy();

        fireEvent.change(screen.getByRole('textbox'), { target: { value: 'Así quedó' } });
        fireEvent.click(screen.getByRole('button', { name: 'Enviar' }));
        await waitFor(() => expect(sendMedia).toHaveBeenCalledTimes(1));
        expect(sendMedia).toHaveBeenCalledWith(CONVERSATION_ID, { type: 'image', file: photo, fileName: 'pastel.png', caption: 'Así quedó' });
        await waitFor(() => expect(screen.queryByTestId('attachment')).toBeNull());
    });

    it('takes a dropped file as a document and can remove it', async () => {
        const { sendMedia } = setup([]);
        const pdf = new File(['%PDF-1.4'], 'lista.pdf', { type: 'application/pdf' });
        fireEvent.drop(await screen.findByTestId('reply-box'), { dataTransfer: { files: [pdf] } });
        expect((await screen.findByTestId('attachment')).textContent).toContain('lista.pdf');
        expect(screen.getByText('Se enviará como documento')).toBeTruthy();
        fireEvent.click(screen.getByRole('button', { name: 'Quitar el archivo' }));
        expect(screen.queryByTestId('attachment')).toBeNull();
        expect(sendMedia).not.toHaveBeenCalled();
    });

    it('records a voice note and sends it as one', async () => {
        const stopTrack = vi.fn();
        const stream = { getTracks: () => [{ stop: stopTrack }] };
        class FakeRecorder extends EventTarget {
            mimeType = 'audio/webm;codecs=opus';
            ondataavailable: ((event: { data: Blob }) => void) | null = null;
            start() {}
            stop() {
                this.ondataavailable?.({ data: new Blob(['voz'], { type: 'audio/webm' }) });
                this.dispatchEvent(new Event('stop'));
            }
        }
        vi.stubGlobal('MediaRecorder', FakeRecorder);
        Object.defineProperty(navigator, 'mediaDevices', { configurable: true, value: { getUserMedia: vi.fn(async () => stream) } });

        const { sendMedia } = setup([]);
        fireEvent.click(await screen.findByRole('button', { name: 'Grabar una nota de voz' }));
        const stop = await screen.findByRole('button', { name: 'Detener y enviar la nota de voz' });
        await act(async () => {
            fireEvent.click(stop);
        });
        await waitFor(() => expect(sendMedia).toHaveBeenCalledTimes(1));
        const [, upload] = sendMedia.mock.calls[0] as unknown as [string, { type: string; ptt: boolean; fileName: string; file: Blob }];
        expect(upload).toMatchObject({ type: 'audio', ptt: true, fileName: 'nota-de-voz.webm' });
        expect(upload.file.type).toBe('audio/webm');
        expect(stopTrack).toHaveBeenCalled();
    });
});
