import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { ResourceContextProvider } from 'react-admin';
import { MemoryRouter } from 'react-router-dom';
import { describe, expect, it, vi } from 'vitest';
import { ProductList } from '../products/ProductList';
import { TestAdmin } from '../test/TestAdmin';
import { AutomationPage } from './AutomationPage';
import { ConversationAutomationSwitch } from './ConversationAutomationSwitch';
import type { AutomationSettings } from './types';

const SETTINGS: AutomationSettings = {
    id: 'automation',
    enabled: true,
    chain: ['rules', 'llm'],
    replyInGroups: false,
    maxMessageAgeMinutes: 10,
    maxRepliesPerHour: 10,
    botLoopReplies: 6,
    typing: { msPerCharacter: 30, maxDelayMs: 4000 },
    handoff: { phrases: ['hablar con un asesor'], reply: 'Te comunico con un asesor.' },
    businessHours: { enabled: false, outOfHoursReply: 'Cerrado.' },
    nonText: { action: 'reply', reply: 'Solo texto.' },
    rules: { catalogKeywords: ['catálogo'], rules: [] },
    llm: {
        provider: 'openai',
        baseUrl: null,
        model: 'gpt-4o-mini',
        systemPrompt: 'Eres el asistente.',
        temperature: 0.3,
        maxTokens: 400,
        monthlyTokenBudget: 0,
        historyMessages: 20,
        timeoutMs: 20000,
        hasApiKey: true,
        tokensThisMonth: 1234,
    },
    webhook: { url: null, timeoutMs: 10000, hasSecret: false },
};

function renderWith(children: React.ReactNode, dataProvider: Record<string, unknown>, locale: 'es' | 'en' = 'es', role: 'admin' | 'agent' = 'admin') {
    return render(
        <MemoryRouter>
            <TestAdmin dataProvider={dataProvider} locale={locale} role={role}>
                {children}
            </TestAdmin>
        </MemoryRouter>
    );
}

describe('AutomationPage', () => {
    it('keeps the stored API key hidden', async () => {
        const updateAutomation = vi.fn(async (data: Partial<AutomationSettings>) => ({ ...SETTINGS, ...data, llm: { ...SETTINGS.llm } }));
        renderWith(<AutomationPage />, { getAutomation: async () => SETTINGS, updateAutomation });

        expect(await screen.findByText('Hay una clave guardada (cifrada). Escriba otra para reemplazarla.')).toBeTruthy();
        expect(screen.getByText('Tokens usados este mes: 1234')).toBeTruthy();
        fireEvent.change(screen.getByLabelText('Respuestas por conversación por hora *'), { target: { value: '5' } });
        fireEvent.click(screen.getByRole('button', { name: 'Guardar' }));

        await waitFor(() => expect(updateAutomation).toHaveBeenCalled());
        const sent = updateAutomation.mock.calls[0][0] as AutomationSettings;
        expect(sent.maxRepliesPerHour).toBe(5);
        expect(sent.llm).not.toHaveProperty('apiKey');
        expect(sent.llm).not.toHaveProperty('hasApiKey');
        expect(sent.chain).toEqual(['rules', 'llm']);
    });

    it('sends a newly typed API key', async () => {
        const updateAutomation = vi.fn(async () => SETTINGS);
        renderWith(<AutomationPage />, { getAutomation: async () => SETTINGS, updateAutomation });

        fireEvent.change(await screen.findByLabelText('Clave de API'), { target: { value: 'sk-new-key' } });
        fireEvent.click(screen.getByRole('button', { name: 'Guardar' }));
        await waitFor(() => expect(updateAutomation).toHaveBeenCalled());
        expect((updateAutomation.mock.calls[0] as unknown as [AutomationSettings])[0].llm.apiKey).toBe('sk-new-key');
    });

    it('sends a typed webhook secret and never shows the stored one', async () => {
        const stored = { ...SETTINGS, webhook: { url: 'https://hooks.example.test/charla', timeoutMs: 10000, hasSecret: true } };
        const updateAutomation = vi.fn(async () => stored);
        renderWith(<AutomationPage />, { getAutomation: async () => stored, updateAutomation });

        expect(await screen.findByText(/Hay un secreto guardado \(cifrado\)/)).toBeTruthy();
        const field = screen.getByLabelText('Secreto de firma del webhook') as HTMLInputElement;
        expect(field.value).toBe('');
        fireEvent.change(field, { target: { value: 'whsec-0123456789abcdef' } });
        fireEvent.click(screen.getByRole('button', { name: 'Guardar' }));

        await waitFor(() => expect(updateAutomation).toHaveBeenCalled());
        const sent = (updateAutomation.mock.calls[0] as unknown as [AutomationSettings])[0];
        expect(sent.webhook).toEqual({ url: 'https://hooks.example.test/charla', timeoutMs: 10000, secret: 'whsec-0123456789abcdef' });
    });

    it('keeps the stored webhook secret when the field is left empty', async () => {
        const updateAutomation = vi.fn(async () => SETTINGS);
        renderWith(<AutomationPage />, { getAutomation: async () => SETTINGS, updateAutomation });

        expect(await screen.findByText(/Sin secreto, las solicitudes van sin firma/)).toBeTruthy();
        fireEvent.change(screen.getByLabelText('Respuestas por conversación por hora *'), { target: { value: '7' } });
        fireEvent.click(screen.getByRole('button', { name: 'Guardar' }));

        await waitFor(() => expect(updateAutomation).toHaveBeenCalled());
        expect((updateAutomation.mock.calls[0] as unknown as [AutomationSettings])[0].webhook).toEqual({ url: null, timeoutMs: 10000 });
    });

    it('shows what the bot would answer in the test box', async () => {
        const previewAutomation = vi.fn(async () => ({ action: 'reply', hook: 'llm', text: 'La torta cuesta $85.000.' }));
        renderWith(<AutomationPage />, { getAutomation: async () => SETTINGS, previewAutomation }, 'en');

        expect(await screen.findByText('What would the bot answer?')).toBeTruthy();
        fireEvent.change(screen.getByLabelText('A customer message'), { target: { value: '¿Cuánto vale la torta?' } });
        fireEvent.click(screen.getByRole('button', { name: 'Try' }));

        expect(await screen.findByText('Language model (AI) would answer: La torta cuesta $85.000.')).toBeTruthy();
        expect(previewAutomation).toHaveBeenCalledWith('¿Cuánto vale la torta?');
    });
});

describe('ConversationAutomationSwitch', () => {
    it('lets an agent turn automatic replies back on after a handoff', async () => {
        const setConversationAutomation = vi.fn(async () => ({ conversationId: 'c1', mode: 'bot', reason: null, since: null }));
        renderWith(
            <ConversationAutomationSwitch conversationId="c1" />,
            {
                getConversationAutomation: async () => ({ conversationId: 'c1', mode: 'human', reason: 'customer_request', since: '2026-12-05T10:00:00.000Z' }),
                setConversationAutomation,
            },
            'es',
            'agent'
        );

        const toggle = await screen.findByRole('switch');
        expect(screen.getByText('Asesor')).toBeTruthy();
        fireEvent.click(toggle);
        await waitFor(() => expect(setConversationAutomation).toHaveBeenCalledWith('c1', 'bot'));
        expect(await screen.findByText('Bot')).toBeTruthy();
    });
});

describe('ProductList', () => {
    it('lists the catalog with prices and stock', async () => {
        const getList = vi.fn(async () => ({
            data: [
                { id: 'p1', name: 'Torta de chocolate', price: 85000, currency: 'COP', sku: 'TORTA', stock: 4, active: true },
                { id: 'p2', name: 'Pan de bono', price: 2500, currency: 'COP', sku: null, stock: null, active: false },
            ],
            total: 2,
        }));
        renderWith(
            <ResourceContextProvider value="products">
                <ProductList />
            </ResourceContextProvider>,
            { getList }
        );

        expect(await screen.findByText('Torta de chocolate')).toBeTruthy();
        expect(screen.getByText('Pan de bono')).toBeTruthy();
        expect(screen.getByText('Precio')).toBeTruthy();
        expect(getList).toHaveBeenCalledWith('products', expect.objectContaining({ sort: { field: 'name', order: 'ASC' } }));
    });
});
