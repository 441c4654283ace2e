import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { TestAdmin } from '../test/TestAdmin';
import type { TenantSettings } from '../types';
import { SettingsPage } from './SettingsPage';

const SETTINGS: TenantSettings & { id: string } = {
    id: 'tenant-1',
    name: 'Panadería Sol',
    timeZone: 'America/Bogota',
    language: 'es',
    currency: 'COP',
    groups: 'store',
    statuses: 'ignore',
    channels: 'ignore',
    readReceipts: true,
    fullHistorySync: false,
};

function renderSettings(locale: 'es' | 'en' = 'es') {
    const getSettings = vi.fn(async () => SETTINGS);
    const updateSettings = vi.fn(async (values: TenantSettings) => values);
    render(
        <TestAdmin dataProvider={{ getSettings, updateSettings }} locale={locale}>
            <SettingsPage />
        </TestAdmin>
    );
    return { updateSettings };
}

describe('SettingsPage', () => {
    it('turns read receipts off and the full history on', async () => {
        const { updateSettings } = renderSettings();

        fireEvent.click(await screen.findByLabelText('Confirmar lectura al abrir una conversación'));
        fireEvent.click(screen.getByLabelText('Historial completo al vincular'));
        fireEvent.click(screen.getByRole('button', { name: 'Guardar' }));

        await waitFor(() => expect(updateSettings).toHaveBeenCalled());
        expect(updateSettings.mock.calls[0][0]).toMatchObject({ readReceipts: false, fullHistorySync: true, groups: 'store', statuses: 'ignore' });
    });

    it('names the message settings in English', async () => {
        renderSettings('en');
        expect(await screen.findByLabelText('Send read receipts when a conversation is opened')).toBeTruthy();
        expect(screen.getByText('Messages')).toBeTruthy();
        expect(screen.getAllByText('Store').length).toBeGreaterThan(0);
    });
});
