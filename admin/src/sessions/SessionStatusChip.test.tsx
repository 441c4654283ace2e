import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { TestAdmin } from '../test/TestAdmin';
import { SESSION_STATUSES, type SessionStatus } from '../types';
import { SessionStatusChip, STATUS_COLORS } from './SessionStatusChip';

const SPANISH: Record<SessionStatus, string> = {
    disconnected: 'Desconectado',
    connecting: 'Conectando',
    qr: 'Esperando escaneo',
    connected: 'Conectado',
    reconnecting: 'Reconectando',
    logged_out: 'Sesión cerrada',
    replaced: 'Abierto en otro lugar',
    qr_expired: 'QR vencido',
    failed: 'Falló',
};

const ENGLISH: Record<SessionStatus, string> = {
    disconnected: 'Disconnected',
    connecting: 'Connecting',
    qr: 'Waiting for scan',
    connected: 'Connected',
    reconnecting: 'Reconnecting',
    logged_out: 'Logged out',
    replaced: 'Opened elsewhere',
    qr_expired: 'QR expired',
    failed: 'Failed',
};

describe('SessionStatusChip', () => {
    it('is green only when connected and red when failed', () => {
        expect(STATUS_COLORS.connected).toBe('success');
        expect(Object.entries(STATUS_COLORS).filter(([, color]) => color === 'success')).toHaveLength(1);
        expect(STATUS_COLORS.failed).toBe('error');
        expect(STATUS_COLORS.qr_expired).toBe('warning');
    });

    it.each(SESSION_STATUSES)('shows "%s" in Spanish with its colour', async status => {
        render(
            <TestAdmin locale="es">
                <SessionStatusChip status={status} />
            </TestAdmin>
        );
        const label = await screen.findByText(SPANISH[status]);
        const chip = label.closest('[data-status]')!;
        expect(chip.getAttribute('data-status')).toBe(status);
        expect(chip.getAttribute('data-color')).toBe(STATUS_COLORS[status]);
        if (STATUS_COLORS[status] !== 'default') {
            expect(chip.className).toContain(`MuiChip-color${STATUS_COLORS[status][0].toUpperCase()}${STATUS_COLORS[status].slice(1)}`);
        }
    });

    it.each(SESSION_STATUSES)('shows "%s" in English', async status => {
        render(
            <TestAdmin locale="en">
                <SessionStatusChip status={status} />
            </TestAdmin>
        );
        expect(await screen.findByText(ENGLISH[status])).toBeTruthy();
    });

    it('falls back to a neutral chip for a status it does not know', async () => {
        render(
            <TestAdmin locale="es">
                <SessionStatusChip status="brand_new_status" />
            </TestAdmin>
        );
        const label = await screen.findByText('Desconocido');
        expect(label.closest('[data-status]')!.getAttribute('data-color')).toBe('default');
    });
});
