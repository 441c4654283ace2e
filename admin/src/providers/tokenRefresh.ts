import type { CurrentUser } from '../types';
import { authStorage, tokenExpiry, type TokenPair } from './authStorage';

export const API_URL = '/api';

/** An access token that expires within this margin is renewed before a request uses it. */
export const REFRESH_MARGIN_MS = 60_000;

const LOCK_NAME = 'charla.auth.refresh';

type Fetch = typeof fetch;

interface RefreshResponse extends TokenPair {
    user: CurrentUser;
}

let inFlight: Promise<string | null> | null = null;

/**
 * Exchanges the stored refresh token for a new pair and returns the new access token, or null when
 * the session cannot be renewed (the stored tokens are then cleared). Calls made while a refresh
 * runs share it. The server treats a refresh token presented twice as stolen and ends the session.
 * So tabs take turns through the Web Locks API where the browser has it, and a tab that finds the
 * token already replaced by another tab uses the new one instead of refreshing again.
 */
export function refreshAccessToken(fetchImpl: Fetch = (...args) => fetch(...args)): Promise<string | null> {
    inFlight ??= withLock(() => refreshOnce(fetchImpl)).finally(() => {
        inFlight = null;
    });
    return inFlight;
}

/** Returns an access token valid for at least `REFRESH_MARGIN_MS`, refreshing it first when needed. */
export async function freshAccessToken(fetchImpl?: Fetch, now = Date.now()): Promise<string | null> {
    const token = authStorage.getToken();
    if (token && (tokenExpiry(token) ?? Infinity) - now > REFRESH_MARGIN_MS) return token;
    if (!authStorage.getRefreshToken()) return token;
    return refreshAccessToken(fetchImpl);
}

async function refreshOnce(fetchImpl: Fetch): Promise<string | null> {
    const refreshToken = authStorage.getRefreshToken();
    if (!refreshToken) return null;

    let response: Response;
    try {
        response = await fetchImpl(`${API_URL}/auth/refresh`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
            body: JSON.stringify({ refreshToken }),
        });
    } catch {
        // The server may be unreachable for a moment, so the tokens stay for the next request to try again.
        return null;
    }

    if (!response.ok) {
        // Another tab may have rotated the token meanwhile, and then its result is in storage.
        const current = authStorage.getRefreshToken();
        if (current && current !== refreshToken) return authStorage.getToken();
        if (response.status === 401) authStorage.clear();
        return null;
    }
    const body = (await response.json()) as RefreshResponse;
    authStorage.save(body, body.user);
    return body.accessToken;
}

async function withLock<T>(task: () => Promise<T>): Promise<T> {
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    if (!locks) return task();

    const before = authStorage.getRefreshToken();
    return locks.request(LOCK_NAME, async () => {
        // A tab that held the lock first may already have renewed the tokens.
        const after = authStorage.getRefreshToken();
        const token = authStorage.getToken();
        if (after && after !== before && token) return token as T;
        return task();
    });
}
