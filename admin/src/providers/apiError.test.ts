import { afterEach, describe, expect, it, vi } from 'vitest';
import { errorMessageKey, KNOWN_ERROR_CODES, toTranslatedHttpError } from './apiError';
import { createAuthProvider, SESSION_EXPIRED_KEY } from './authProvider';
import { authStorage } from './authStorage';
import { createDataProvider } from './dataProvider';
import { httpClient } from './httpClient';
import { i18nProvider } from './i18nProvider';

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
    return new Response(body === undefined ? null : JSON.stringify(body), {
        status,
        headers: { 'Content-Type': 'application/json', ...headers },
    });
}

afterEach(() => {
    vi.unstubAllGlobals();
    void i18nProvider.changeLocale('es');
});

describe('error code translation', () => {
    it('maps known and unknown codes', () => {
        expect(errorMessageKey('SESSION_NOT_CONNECTED')).toBe('charla.errors.SESSION_NOT_CONNECTED');
        expect(errorMessageKey('SOMETHING_NEW')).toBe('charla.errors.generic');
        expect(errorMessageKey(undefined)).toBe('charla.errors.generic');
        for (const code of KNOWN_ERROR_CODES) expect(errorMessageKey(code)).toBe(`charla.errors.${code}`);
    });

    it('reads as a sentence in Spanish and in English', async () => {
        await i18nProvider.changeLocale('es');
        expect(i18nProvider.translate(errorMessageKey('INVALID_PHONE'))).toMatch(/número de teléfono no es válido/);
        expect(i18nProvider.translate(errorMessageKey('WHATEVER'))).toBe('Algo salió mal. Intente de nuevo en un momento.');
        await i18nProvider.changeLocale('en');
        expect(i18nProvider.translate(errorMessageKey('INVALID_PHONE'))).toMatch(/phone number is not valid/);
        expect(i18nProvider.translate(errorMessageKey('WHATEVER'))).toBe('Something went wrong. Try again in a moment.');
    });

    it('turns field problems into react-admin form errors', () => {
        const error = toTranslatedHttpError(400, {
            statusCode: 400,
            code: 'VALIDATION_FAILED',
            message: 'Invalid request',
            errors: [{ field: 'email', reason: 'must be an email' }],
        });
        expect(error.message).toBe('charla.errors.VALIDATION_FAILED');
        expect(error.status).toBe(400);
        expect(error.body.errors).toEqual({ email: 'charla.errors.field_invalid' });
        expect(error.body.code).toBe('VALIDATION_FAILED');
    });
});

describe('httpClient', () => {
    it('sends the bearer token and throws translated errors with the API code', async () => {
        authStorage.save({ accessToken: 'jwt-123', refreshToken: 'refresh-123' }, { id: 'u1', email: 'a@b.co', name: 'A', role: 'admin', tenantId: 't1' });
        const fetchMock = vi.fn(async () => jsonResponse(409, { statusCode: 409, code: 'SESSION_NOT_CONNECTED', message: 'no' }));
        vi.stubGlobal('fetch', fetchMock);
        await expect(httpClient('/api/conversations/1/messages', { method: 'POST', body: '{}' })).rejects.toMatchObject({
            message: 'charla.errors.SESSION_NOT_CONNECTED',
            status: 409,
            body: { code: 'SESSION_NOT_CONNECTED' },
        });
        const [, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
        expect(new Headers(init.headers).get('Authorization')).toBe('Bearer jwt-123');
    });
});

describe('dataProvider', () => {
    it('reads totals from Content-Range and sends PATCH with only the changed fields', async () => {
        const calls: { url: string; init: RequestInit }[] = [];
        vi.stubGlobal(
            'fetch',
            vi.fn(async (url: string, init: RequestInit) => {
                calls.push({ url, init });
                if (init.method === 'PATCH') return jsonResponse(200, { id: 'u1', name: 'Nuevo', role: 'agent' });
                return jsonResponse(200, [{ id: 'u1' }], { 'Content-Range': 'users 0-0/7' });
            })
        );
        const provider = createDataProvider();
        const list = await provider.getList('users', { pagination: { page: 1, perPage: 10 }, sort: { field: 'createdAt', order: 'ASC' }, filter: {} });
        expect(list.total).toBe(7);
        await provider.update('users', { id: 'u1', data: { id: 'u1', name: 'Nuevo', role: 'agent' }, previousData: { id: 'u1', name: 'Viejo', role: 'agent' } });
        const patch = calls.find(call => call.init.method === 'PATCH')!;
        expect(patch.url).toBe('/api/users/u1');
        expect(JSON.parse(String(patch.init.body))).toEqual({ name: 'Nuevo' });
    });

    it('URL-encodes the plus sign of a sandbox inbox number', async () => {
        const fetchMock = vi.fn(async () => jsonResponse(200, []));
        vi.stubGlobal('fetch', fetchMock);
        await createDataProvider().sandboxInbox('+573000000001');
        expect((fetchMock.mock.calls[0] as unknown as [string])[0]).toBe('/api/sandbox/inbox/%2B573000000001');
    });
});

describe('authProvider', () => {
    it('stores the token and user after a successful login', async () => {
        const user = { id: 'u1', email: 'ana@tienda.co', name: 'Ana', role: 'agent', tenantId: 't1' };
        const provider = createAuthProvider(async () => jsonResponse(200, { accessToken: 'jwt-1', user }));
        await provider.login({ email: 'ana@tienda.co', password: 'secret' });
        expect(authStorage.getToken()).toBe('jwt-1');
        expect(await provider.getPermissions!({})).toBe('agent');
        await expect(provider.canAccess!({ action: 'list', resource: 'users' })).resolves.toBe(false);
    });

    it('rejects bad credentials with a translated message', async () => {
        const provider = createAuthProvider(async () => jsonResponse(401, { statusCode: 401, code: 'INVALID_CREDENTIALS', message: 'no' }));
        await expect(provider.login({ email: 'x@y.co', password: 'bad' })).rejects.toMatchObject({
            message: 'charla.errors.INVALID_CREDENTIALS',
        });
        expect(authStorage.getToken()).toBeNull();
    });

    it('logs out with a "session expired" message on a 401 from the API, but not on a 403', async () => {
        const provider = createAuthProvider();
        await expect(provider.checkError({ status: 401 })).rejects.toEqual({ message: SESSION_EXPIRED_KEY });
        await expect(provider.checkError({ status: 403 })).resolves.toBeUndefined();
    });
});
