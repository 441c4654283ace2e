import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAuthProvider } from './authProvider';
import { authStorage } from './authStorage';
import { httpClient } from './httpClient';

const USER = { id: 'u1', email: 'ana@tienda.co', name: 'Ana', role: 'admin' as const, tenantId: 't1' };

/** An unsigned JWT-shaped token that expires `seconds` from now; the panel reads only its `exp`. */
function accessToken(seconds: number, label = 'a'): string {
    const encode = (value: object) => btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
    return `${encode({ alg: 'HS256' })}.${encode({ sub: label, exp: Math.floor(Date.now() / 1000) + seconds })}.signature`;
}

function jsonResponse(status: number, body: unknown): Response {
    return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

interface FakeServer {
    fetch: ReturnType<typeof vi.fn>;
    refreshCalls: () => string[];
    authorizations: () => (string | null)[];
}

/** A fake API: `/auth/refresh` answers with `refreshStatus`, other paths with `answers` in turn (then 200). */
function fakeServer({ refreshStatus = 200, answers = [] as number[], newToken = accessToken(900, 'renewed') } = {}): FakeServer {
    const remaining = [...answers];
    const fetchMock = vi.fn(async (url: string, _init: RequestInit = {}) => {
        if (url.endsWith('/auth/refresh')) {
            if (refreshStatus !== 200) return jsonResponse(refreshStatus, { statusCode: refreshStatus, code: 'REFRESH_TOKEN_REVOKED', message: 'no' });
            return jsonResponse(200, { accessToken: newToken, refreshToken: 'refresh-2', user: USER });
        }
        if (url.endsWith('/auth/logout')) return new Response(null, { status: 204 });
        const status = remaining.shift() ?? 200;
        return status === 200 ? jsonResponse(200, []) : jsonResponse(status, { statusCode: status, code: 'UNAUTHORIZED', message: 'no' });
    });
    vi.stubGlobal('fetch', fetchMock);
    const calls = () => fetchMock.mock.calls as unknown as [string, RequestInit][];
    return {
        fetch: fetchMock,
        refreshCalls: () => calls().filter(([url]) => url.endsWith('/auth/refresh')).map(([, init]) => JSON.parse(String(init.body)).refreshToken),
        authorizations: () => calls().filter(([url]) => !url.includes('/auth/')).map(([, init]) => new Headers(init.headers).get('Authorization')),
    };
}

afterEach(() => {
    vi.unstubAllGlobals();
});

describe('silent token refresh', () => {
    it('renews a token about to expire before the request', async () => {
        authStorage.save({ accessToken: accessToken(30), refreshToken: 'refresh-1' }, USER);
        const server = fakeServer();

        await httpClient('/api/sessions');

        expect(server.refreshCalls()).toEqual(['refresh-1']);
        expect(server.authorizations()).toEqual([`Bearer ${authStorage.getToken()}`]);
        expect(authStorage.getRefreshToken()).toBe('refresh-2');
    });

    it('keeps a token that is still valid', async () => {
        const token = accessToken(600);
        authStorage.save({ accessToken: token, refreshToken: 'refresh-1' }, USER);
        const server = fakeServer();

        await httpClient('/api/sessions');

        expect(server.refreshCalls()).toEqual([]);
        expect(server.authorizations()).toEqual([`Bearer ${token}`]);
    });

    it('retries once after a 401 with a renewed token', async () => {
        const token = accessToken(600);
        authStorage.save({ accessToken: token, refreshToken: 'refresh-1' }, USER);
        const server = fakeServer({ answers: [401] });

        await expect(httpClient('/api/sessions')).resolves.toMatchObject({ status: 200 });

        expect(server.refreshCalls()).toEqual(['refresh-1']);
        const renewed = authStorage.getToken();
        expect(renewed).not.toBe(token);
        expect(server.authorizations()).toEqual([`Bearer ${token}`, `Bearer ${renewed}`]);
    });

    it('shares one refresh between concurrent requests', async () => {
        authStorage.save({ accessToken: accessToken(10), refreshToken: 'refresh-1' }, USER);
        const server = fakeServer();

        await Promise.all([httpClient('/api/sessions'), httpClient('/api/conversations'), httpClient('/api/users')]);

        expect(server.refreshCalls()).toEqual(['refresh-1']);
    });

    it('signs out when the refresh token is refused', async () => {
        authStorage.save({ accessToken: accessToken(600), refreshToken: 'refresh-1' }, USER);
        fakeServer({ refreshStatus: 401, answers: [401] });

        await expect(httpClient('/api/sessions')).rejects.toMatchObject({ status: 401 });

        expect(authStorage.getToken()).toBeNull();
        expect(authStorage.getRefreshToken()).toBeNull();
        await expect(createAuthProvider().checkError({ status: 401 })).rejects.toBeDefined();
    });
});

describe('authProvider', () => {
    it('stores the refresh token at login', async () => {
        const login = vi.fn(async () => jsonResponse(200, { accessToken: accessToken(900), refreshToken: 'refresh-1', user: USER }));
        await createAuthProvider(login as unknown as typeof fetch).login({ email: 'ana@tienda.co', password: 'secreto' });
        expect(authStorage.getRefreshToken()).toBe('refresh-1');
        expect(authStorage.getUser()).toEqual(USER);
    });

    it('revokes the refresh token at logout', async () => {
        authStorage.save({ accessToken: accessToken(900), refreshToken: 'refresh-1' }, USER);
        const server = fakeServer();

        await createAuthProvider().logout({});

        const [url, init] = server.fetch.mock.calls[0] as unknown as [string, RequestInit];
        expect(url).toBe('/api/auth/logout');
        expect(JSON.parse(String(init.body))).toEqual({ refreshToken: 'refresh-1' });
        expect(authStorage.getRefreshToken()).toBeNull();
    });

    it('renews an expired token when the panel opens', async () => {
        authStorage.save({ accessToken: accessToken(-60), refreshToken: 'refresh-1' }, USER);
        const server = fakeServer();

        await createAuthProvider().checkAuth({});

        expect(server.refreshCalls()).toEqual(['refresh-1']);
        expect(authStorage.getRefreshToken()).toBe('refresh-2');
    });
});
