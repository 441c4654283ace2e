import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { TestAdmin } from '../test/TestAdmin';
import type { Session, SessionStatus } from '../types';
import { SessionLinkPanel } from './SessionLinkPanel';

function session(status: SessionStatus, extra: Partial<Session> = {}): Session {
    return {
        id: 's1',
        name: 'Ventas',
        status,
        phoneNumber: status === 'connected' ? '+573000000001' : null,
        pushName: null,
        isDefault: true,
        lastError: null,
        createdAt: '2026-01-01T00:00:00Z',
        ...extra,
    };
}

describe('SessionLinkPanel', () => {
    it.each([
        ['qr_expired', 'Nadie escaneó el código QR a tiempo'],
        ['logged_out', 'El teléfono quitó este dispositivo'],
        ['replaced', 'WhatsApp se abrió en otro lugar'],
        ['failed', 'La conexión falló'],
    ] as const)('explains %s and offers to connect again', async (status, title) => {
        render(
            <TestAdmin role="admin">
                <SessionLinkPanel session={session(status, { lastError: { code: 'LOGGED_OUT', message: 'x', at: '2026-01-01T00:00:00Z' } })} />
            </TestAdmin>
        );
        expect(await screen.findByText(title)).toBeTruthy();
        expect(await screen.findByRole('button', { name: 'Conectar de nuevo' })).toBeTruthy();
        expect(screen.getByTestId('session-last-error').textContent).toContain('Dispositivos vinculados');
    });

    it('shows a connected number with a disconnect button for an admin', async () => {
        render(
            <TestAdmin role="admin">
                <SessionLinkPanel session={session('connected')} />
            </TestAdmin>
        );
        expect(await screen.findByText('Conectado como +573000000001')).toBeTruthy();
        expect(await screen.findByRole('button', { name: 'Desconectar' })).toBeTruthy();
    });

    it('shows an agent the status only: no connect, disconnect or QR', async () => {
        render(
            <TestAdmin role="agent" locale="en">
                <SessionLinkPanel session={session('logged_out')} />
            </TestAdmin>
        );
        expect(await screen.findByText('The phone removed this device')).toBeTruthy();
        expect(await screen.findByText('Only an administrator can link or reconnect this number.')).toBeTruthy();
        expect(screen.queryByRole('button')).toBeNull();
    });
});
