import type { AuthProvider } from 'react-admin';
import type { CurrentUser } from '../types';
import { errorMessageKey, toTranslatedHttpError } from './apiError';
import { authStorage } from './authStorage';
import { canAccess } from './canAccess';
import { API_URL, freshAccessToken } from './tokenRefresh';

export { API_URL };

export const SESSION_EXPIRED_KEY = 'charla.auth.session_expired';

interface LoginResponse {
    accessToken: string;
    refreshToken: string;
    user: CurrentUser;
}

/**
 * Signs in against `POST /api/auth/login` and keeps the tokens and user in localStorage. The
 * access token is short-lived; `httpClient` and the realtime socket renew it with the refresh token.
 */
export function createAuthProvider(fetchImpl: typeof fetch = (...args) => fetch(...args)): AuthProvider {
    return {
        async login({ email, username, password }: { email?: string; username?: string; password: string }) {
            let response: Response;
            try {
                response = await fetchImpl(`${API_URL}/auth/login`, {
                    method: 'POST',
                    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
                    body: JSON.stringify({ email: (email ?? username ?? '').trim(), password }),
                });
            } catch {
                throw new Error(errorMessageKey('NETWORK_ERROR'));
            }
            const body = await response.json().catch(() => ({}));
            if (!response.ok) {
                const code = response.status === 401 && !body?.code ? 'INVALID_CREDENTIALS' : body?.code;
                throw toTranslatedHttpError(response.status, { ...body, code });
            }
            const { accessToken, refreshToken, user } = body as LoginResponse;
            authStorage.save({ accessToken, refreshToken }, user);
        },

        async logout() {
            const refreshToken = authStorage.getRefreshToken();
            authStorage.clear();
            if (!refreshToken) return;
            // Revoking on the server is best effort: the tokens are gone from this browser either way.
            await fetchImpl(`${API_URL}/auth/logout`, {
                method: 'POST',
                headers: { 'Content-Type': 'application/json' },
                body: JSON.stringify({ refreshToken }),
            }).catch(() => undefined);
        },

        async checkAuth() {
            // An expired access token is renewed here, so a returning user is not sent to the login page.
            if (authStorage.getRefreshToken()) await freshAccessToken(fetchImpl);
            if (!authStorage.getToken()) {
                // react-admin 5.15 loops when checkAuth rejects at once. Its `logout()` clears the query
                // cache before the router has left the protected routes, so LogoutOnMount checks, fails
                // and logs out again, hundreds of times, until Chromium throttles history.pushState.
                // The login page then took 13 to 19 s to appear in headless Chromium. Waiting one
                // macrotask lets the navigation to /login render first.
                await nextMacrotask();
                throw { message: 'ra.auth.auth_check_error' };
            }
        },

        async checkError(error: { status?: number }) {
            if (error?.status === 401) {
                throw { message: SESSION_EXPIRED_KEY };
            }
            // A 403 means the role lacks the permission, so the user stays signed in and the page shows the error.
        },

        async getIdentity() {
            const user = authStorage.getUser();
            if (!user) throw new Error('ra.auth.auth_check_error');
            return { id: user.id, fullName: user.name || user.email, email: user.email, role: user.role, tenantId: user.tenantId };
        },

        async getPermissions() {
            return authStorage.getUser()?.role ?? null;
        },

        async canAccess({ action, resource }) {
            return canAccess(authStorage.getUser()?.role, { action, resource });
        },
    };
}

function nextMacrotask(): Promise<void> {
    return new Promise(resolve => setTimeout(resolve, 0));
}

export const authProvider = createAuthProvider();
