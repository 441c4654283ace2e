import type { CurrentUser } from '../types';

const TOKEN_KEY = 'charla.auth.token';
const REFRESH_TOKEN_KEY = 'charla.auth.refresh_token';
const USER_KEY = 'charla.auth.user';

/** The tokens a login or a refresh returns. */
export interface TokenPair {
    accessToken: string;
    refreshToken: string;
}

/**
 * Storage of the tokens and the signed-in user in localStorage, kept between page loads and shared
 * by the panel's tabs.
 */
export const authStorage = {
    getToken(): string | null {
        return localStorage.getItem(TOKEN_KEY);
    },
    getRefreshToken(): string | null {
        return localStorage.getItem(REFRESH_TOKEN_KEY);
    },
    getUser(): CurrentUser | null {
        const raw = localStorage.getItem(USER_KEY);
        if (!raw) return null;
        try {
            return JSON.parse(raw) as CurrentUser;
        } catch {
            return null;
        }
    },
    save(tokens: TokenPair, user: CurrentUser): void {
        localStorage.setItem(TOKEN_KEY, tokens.accessToken);
        localStorage.setItem(REFRESH_TOKEN_KEY, tokens.refreshToken);
        localStorage.setItem(USER_KEY, JSON.stringify(user));
    },
    clear(): void {
        localStorage.removeItem(TOKEN_KEY);
        localStorage.removeItem(REFRESH_TOKEN_KEY);
        localStorage.removeItem(USER_KEY);
    },
};

/** Returns the `exp` claim of a JWT in milliseconds, or undefined when the token cannot be read. */
export function tokenExpiry(token: string): number | undefined {
    try {
        const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
        const claims = JSON.parse(atob(payload)) as { exp?: unknown };
        return typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
    } catch {
        return undefined;
    }
}
