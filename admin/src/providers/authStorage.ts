import type { CurrentUser } from '../types';

const TOKEN_KEY = 'charla.auth.token';
const USER_KEY = 'charla.auth.user';

/** Storage of the JWT and the signed-in user in localStorage, kept between page loads. */
export const authStorage = {
    getToken(): string | null {
        return localStorage.getItem(TOKEN_KEY);
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
    save(token: string, user: CurrentUser): void {
        localStorage.setItem(TOKEN_KEY, token);
        localStorage.setItem(USER_KEY, JSON.stringify(user));
    },
    clear(): void {
        localStorage.removeItem(TOKEN_KEY);
        localStorage.removeItem(USER_KEY);
    },
};
