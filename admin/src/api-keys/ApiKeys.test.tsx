import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { ResourceContextProvider } from 'react-admin';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { canAccess } from '../providers/canAccess';
import { TestAdmin } from '../test/TestAdmin';
import type { ApiKey } from '../types';
import { ApiKeyCreate } from './ApiKeyCreate';
import { ApiKeyList } from './ApiKeyList';

const KEYS: ApiKey[] = [
    {
        id: 'k1',
        name: 'Tienda online',
        role: 'agent',
        prefix: 'chk_AbCdEfGh',
        createdBy: 'u1',
        createdAt: '2026-12-01T10:00:00.000Z',
        lastUsedAt: null,
        revokedAt: null,
    },
    {
        id: 'k2',
        name: 'CRM antiguo',
        role: 'admin',
        prefix: 'chk_ZyXwVuTs',
        createdBy: 'u1',
        createdAt: '2026-11-01T10:00:00.000Z',
        lastUsedAt: '2026-11-02T10:00:00.000Z',
        revokedAt: '2026-11-20T10:00:00.000Z',
    },
];

function renderWith(children: React.ReactNode, dataProvider: Record<string, unknown>, locale: 'es' | 'en' = 'es') {
    return render(
        <MemoryRouter>
            <TestAdmin dataProvider={dataProvider} locale={locale}>
                <ResourceContextProvider value="api-keys">{children}</ResourceContextProvider>
            </TestAdmin>
        </MemoryRouter>
    );
}

afterEach(() => {
    vi.unstubAllGlobals();
});

describe('ApiKeyList', () => {
    it('lists keys by prefix and offers revoking active ones only', async () => {
        const getList = vi.fn(async () => ({ data: KEYS, total: 2 }));
        renderWith(<ApiKeyList />, { getList });

        const active = (await screen.findByText('Tienda online')).closest('tr')!;
        expect(within(active).getByText('chk_AbCdEfGh…')).toBeTruthy();
        expect(within(active).getByText('Activa')).toBeTruthy();
        expect(await within(active).findByRole('button', { name: 'Revocar' })).toBeTruthy();

        const revoked = screen.getByText('CRM antiguo').closest('tr')!;
        expect(within(revoked).getByText('Revocada')).toBeTruthy();
        expect(within(revoked).queryByRole('button', { name: 'Revocar' })).toBeNull();
    });

    it('revokes a key after confirmation', async () => {
        const getList = vi.fn(async () => ({ data: KEYS, total: 2 }));
        const deleteKey = vi.fn(async () => ({ data: { ...KEYS[0], revokedAt: '2026-12-05T10:00:00.000Z' } }));
        renderWith(<ApiKeyList />, { getList, delete: deleteKey });

        fireEvent.click(await screen.findByRole('button', { name: 'Revocar' }));
        expect(await screen.findByText('¿Revocar esta clave de API?')).toBeTruthy();
        fireEvent.click(screen.getByRole('button', { name: 'Confirmar' }));

        await waitFor(() => expect(deleteKey).toHaveBeenCalled());
        expect(deleteKey.mock.calls[0]).toEqual(['api-keys', expect.objectContaining({ id: 'k1' })]);
    });
});

describe('ApiKeyCreate', () => {
    it('shows the new key once with a copy button', async () => {
        const key = `chk_${'Q'.repeat(43)}`;
        const create = vi.fn(async (_resource: string, params: { data: Partial<ApiKey> }) => ({ data: { ...KEYS[0], ...params.data, id: 'k3', key } }));
        const writeText = vi.fn(async () => undefined);
        vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
        renderWith(<ApiKeyCreate />, { create });

        fireEvent.change(await screen.findByLabelText('Nombre *'), { target: { value: 'Bot de pedidos' } });
        fireEvent.click(screen.getByRole('button', { name: 'Guardar' }));

        await waitFor(() => expect(create).toHaveBeenCalled());
        expect(create.mock.calls[0][1].data).toEqual({ name: 'Bot de pedidos', role: 'agent' });
        expect(await screen.findByDisplayValue(key)).toBeTruthy();
        expect(screen.getByText('Copie la clave ahora y guárdela en un lugar seguro: no se volverá a mostrar.')).toBeTruthy();

        fireEvent.click(screen.getByRole('button', { name: 'Copiar' }));
        await waitFor(() => expect(writeText).toHaveBeenCalledWith(key));
    });

    it('is labelled in English too', async () => {
        renderWith(<ApiKeyCreate />, { create: vi.fn() }, 'en');
        expect(await screen.findByLabelText('Name *')).toBeTruthy();
        expect(screen.getByText('Where the key is used, such as "Online store" or "CRM".')).toBeTruthy();
    });
});

describe('access to the API keys and audit pages', () => {
    it.each([
        ['superadmin', true],
        ['admin', true],
        ['agent', false],
    ] as const)('%s may open them: %s', (role, allowed) => {
        expect(canAccess(role, { action: 'list', resource: 'api-keys' })).toBe(allowed);
        expect(canAccess(role, { action: 'create', resource: 'api-keys' })).toBe(allowed);
        expect(canAccess(role, { action: 'list', resource: 'audit-events' })).toBe(allowed);
        expect(canAccess(role, { action: 'delete', resource: 'audit-events' })).toBe(false);
    });
});
