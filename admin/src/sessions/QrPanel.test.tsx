import { act, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeSocket } from '../test/fakeSocket';
import { HttpError } from 'react-admin';
import { TestAdmin } from '../test/TestAdmin';
import { QrPanel } from './QrPanel';

const SESSION_ID = 'session-1';

function qrAt(label: string, secondsFromNow: number) {
    return {
        qr: `2@${label}`,
        qrDataUrl: `data:image/png;base64,${label}`,
        expiresAt: new Date(Date.now() + secondsFromNow * 1000).toISOString(),
    };
}

afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
});

// react-admin logs every data provider error in development; these tests cause some on purpose.
const quietErrors = () => vi.spyOn(console, 'error').mockImplementation(() => undefined);

describe('QrPanel', () => {
    it('shows the QR code with a countdown and the phone steps', async () => {
        const getQr = vi.fn(async () => qrAt('first', 20));
        render(
            <TestAdmin dataProvider={{ getQr }}>
                <QrPanel sessionId={SESSION_ID} />
            </TestAdmin>
        );
        const image = (await screen.findByTestId('qr-image')) as HTMLImageElement;
        expect(image.src).toBe('data:image/png;base64,first');
        expect(image.alt).toBe('Código QR de WhatsApp para vincular este número');
        expect(screen.getByTestId('qr-countdown').textContent).toMatch(/^Vence en 0:(19|20)$/);
        expect(screen.getByText('Toque Dispositivos vinculados.')).toBeTruthy();
        expect(screen.getByText(/Vaya a Ajustes/)).toBeTruthy();
        expect(getQr).toHaveBeenCalledWith(SESSION_ID);
    });

    it('waits for the QR over Socket.IO, then replaces it when it rotates', async () => {
        quietErrors();
        const socket = new FakeSocket();
        const getQr = vi.fn(async () => {
            throw new HttpError('charla.errors.QR_NOT_AVAILABLE', 404, { code: 'QR_NOT_AVAILABLE' });
        });
        render(
            <TestAdmin dataProvider={{ getQr }} socket={socket}>
                <QrPanel sessionId={SESSION_ID} />
            </TestAdmin>
        );
        expect(await screen.findByText('Esperando el código QR…')).toBeTruthy();

        act(() => socket.serverEmit('session.qr', { sessionId: SESSION_ID, ...qrAt('first', 20) }));
        expect(((await screen.findByTestId('qr-image')) as HTMLImageElement).src).toBe('data:image/png;base64,first');

        act(() => socket.serverEmit('session.qr', { sessionId: SESSION_ID, ...qrAt('second', 20) }));
        await waitFor(() =>
            expect((screen.getByTestId('qr-image') as HTMLImageElement).src).toBe('data:image/png;base64,second')
        );
        expect(screen.getAllByTestId('qr-image')).toHaveLength(1);

        // A QR for another session changes nothing here.
        act(() => socket.serverEmit('session.qr', { sessionId: 'other', ...qrAt('third', 20) }));
        expect((screen.getByTestId('qr-image') as HTMLImageElement).src).toBe('data:image/png;base64,second');
    });

    it('counts down to the expired state', async () => {
        vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
        const connectSession = vi.fn(async () => ({ id: SESSION_ID, status: 'connecting' }));
        const getQr = vi.fn(async () => qrAt('first', 5));
        render(
            <TestAdmin dataProvider={{ getQr, connectSession }} locale="en">
                <QrPanel sessionId={SESSION_ID} />
            </TestAdmin>
        );
        expect((await screen.findByTestId('qr-countdown')).textContent).toBe('Expires in 0:05');

        act(() => vi.advanceTimersByTime(2000));
        expect(screen.getByTestId('qr-countdown').textContent).toBe('Expires in 0:03');

        act(() => vi.advanceTimersByTime(4000));
        expect(screen.queryByTestId('qr-countdown')).toBeNull();
        expect(screen.getByTestId('qr-expired').textContent).toContain('This code expired');

        act(() => screen.getByRole('button', { name: 'Get a new code' }).click());
        await waitFor(() => expect(connectSession).toHaveBeenCalledWith(SESSION_ID));
    });

    it('explains an expired QR that the server reports with 410 QR_EXPIRED', async () => {
        quietErrors();
        const getQr = vi.fn(async () => {
            throw new HttpError('charla.errors.QR_EXPIRED', 410, { code: 'QR_EXPIRED' });
        });
        render(
            <TestAdmin dataProvider={{ getQr }}>
                <QrPanel sessionId={SESSION_ID} />
            </TestAdmin>
        );
        expect((await screen.findByTestId('qr-expired')).textContent).toContain('Este código venció');
        expect(screen.getByRole('button', { name: 'Obtener un código nuevo' })).toBeTruthy();
    });
});
