import { fetchUtils, HttpError } from 'react-admin';
import { errorMessageKey, toTranslatedHttpError } from './apiError';
import { authStorage } from './authStorage';

/**
 * `fetchUtils.fetchJson` with the JWT attached. Errors come back as `HttpError`s whose message is
 * a catalogue key (`charla.errors.<CODE>`) and whose body keeps the API's `code`.
 */
export async function httpClient(url: string, options: fetchUtils.Options = {}) {
    const headers = new Headers(options.headers ?? { Accept: 'application/json' });
    const token = authStorage.getToken();
    if (token) headers.set('Authorization', `Bearer ${token}`);
    try {
        return await fetchUtils.fetchJson(url, { ...options, headers });
    } catch (error) {
        if (error instanceof HttpError) {
            throw toTranslatedHttpError(error.status, error.body);
        }
        if (error instanceof Error && error.name === 'AbortError') throw error;
        throw new HttpError(errorMessageKey('NETWORK_ERROR'), 0, { code: 'NETWORK_ERROR' });
    }
}
