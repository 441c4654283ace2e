import type { AuthProvider } from 'react-admin';
import type { CurrentUser } from '../types';
import { errorMessageKey, toTranslatedHttpError } from './apiError';
import { authStorage } from './authStorage';
import { canAccess } from './canAccess';

export const API_URL = '/api';

export const SESSION_EXPIRED_KEY = 'charla.auth.session_expired';

interface LoginResponse {
    accessToken: string;
    user: CurrentUser;
}

/** Signs in against `POST /api/auth/login` and keeps the JWT and user in localStorage. */
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
            const { accessToken, user } = body as LoginResponse;
            authStorage.save(accessToken, user);
        },

        async logout() {
            authStorage.clear();
        },

        async checkAuth() {
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
