import { fetchUtils, HttpError } from 'react-admin';
import { errorMessageKey, toTranslatedHttpError } from './apiError';
import { authStorage } from './authStorage';
import { freshAccessToken, refreshAccessToken } from './tokenRefresh';

/**
 * `fetchUtils.fetchJson` with the access token attached. A token about to expire is renewed first,
 * and a request that fails with 401 is sent once more after a refresh, so staff stay signed in while they
 * work. Errors come back as `HttpError`s whose message is a catalogue key (`charla.errors.<CODE>`)
 * and whose body keeps the API's `code`.
 */
export async function httpClient(url: string, options: fetchUtils.Options = {}) {
    const send = (token: string | null) => {
        const headers = new Headers(options.headers ?? { Accept: 'application/json' });
        if (token) headers.set('Authorization', `Bearer ${token}`);
        return fetchUtils.fetchJson(url, { ...options, headers });
    };

    try {
        try {
            return await send(await freshAccessToken());
        } catch (error) {
            if (!(error instanceof HttpError) || error.status !== 401 || !authStorage.getRefreshToken()) throw error;
            const renewed = await refreshAccessToken();
            if (!renewed) throw error;
            return await send(renewed);
        }
    } catch (error) {
        if (error instanceof HttpError) {
            throw toTranslatedHttpError(error.status, error.body);
        }
        if (error instanceof Error && error.name === 'AbortError') throw error;
        throw new HttpError(errorMessageKey('NETWORK_ERROR'), 0, { code: 'NETWORK_ERROR' });
    }
}
