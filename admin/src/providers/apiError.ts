import { HttpError } from 'react-admin';

/** Error codes the panel translates. Each has a sentence under `charla.errors.<CODE>`. */
export const KNOWN_ERROR_CODES = [
    'INVALID_PHONE',
    'SESSION_NOT_CONNECTED',
    'SESSION_NOT_FOUND',
    'QR_NOT_AVAILABLE',
    'QR_EXPIRED',
    'VALIDATION_FAILED',
    'INVALID_CREDENTIALS',
    'UNAUTHORIZED',
    'MESSAGE_TOO_LONG',
    'SESSION_LOGGED_OUT',
    'SESSION_REPLACED',
    'SESSION_FAILED',
    'REACH_OUT_LOCKED',
    'NOT_ON_WHATSAPP',
    'NUMBER_NOT_LINKED',
    'QR_NOT_FOUND',
    'FORBIDDEN',
    'INTERNAL_ERROR',
    // Generic codes the server's exception filter derives from the HTTP status.
    'NOT_FOUND',
    'BAD_REQUEST',
    'CONFLICT',
    'TOO_MANY_REQUESTS',
    'PAYLOAD_TOO_LARGE',
    // Codes a session's `lastError` carries.
    'LOGGED_OUT',
    'CONNECTION_REPLACED',
    'CONNECTION_LOST',
    'BAD_SESSION',
    'MULTIDEVICE_MISMATCH',
    'UNTRUSTED_SERVER',
    'PAIRING_REJECTED',
    // Further codes the server uses today.
    'CONVERSATION_NOT_FOUND',
    'CONTACT_NOT_FOUND',
    'USER_NOT_FOUND',
    'TENANT_NOT_FOUND',
    'EMAIL_TAKEN',
    'CANNOT_CHANGE_OWN_ACCESS',
    'CANNOT_MODIFY_OWN_TENANT',
    'SEND_FAILED',
    'RECIPIENT_CHECK_FAILED',
    'RECONNECT_LIMIT',
    'AUTH_CORRUPT',
    'LOGIN_THROTTLED',
    'RATE_LIMITED',
    'URL_NOT_ALLOWED',
    'HOOK_FAILED',
    'PRODUCT_SKU_TAKEN',
    'INVALID_API_KEY',
    'API_KEY_NOT_FOUND',
    // Raised by the panel itself when the server cannot be reached.
    'NETWORK_ERROR',
] as const;

export type KnownErrorCode = (typeof KNOWN_ERROR_CODES)[number];

const KNOWN = new Set<string>(KNOWN_ERROR_CODES);

export const GENERIC_ERROR_KEY = 'charla.errors.generic';

/** Returns the catalogue key of the sentence for an API error code, or the generic key for an unknown code. */
export function errorMessageKey(code: string | null | undefined): string {
    return code && KNOWN.has(code) ? `charla.errors.${code}` : GENERIC_ERROR_KEY;
}

export interface ApiErrorBody {
    statusCode?: number;
    code?: string;
    message?: string;
    errors?: { field: string; reason: string }[];
}

/** Reads the `code` of an error thrown by the data provider or `fetch`, if it has one. */
export function errorCodeOf(error: unknown): string | undefined {
    if (!error || typeof error !== 'object') return undefined;
    const withBody = error as { body?: unknown; code?: unknown };
    if (withBody.body && typeof withBody.body === 'object' && 'code' in withBody.body) {
        const code = (withBody.body as { code?: unknown }).code;
        if (typeof code === 'string') return code;
    }
    return typeof withBody.code === 'string' ? withBody.code : undefined;
}

/** Returns the HTTP status of an error thrown by the data provider, if it has one. */
export function errorStatusOf(error: unknown): number | undefined {
    if (error && typeof error === 'object' && 'status' in error) {
        const status = (error as { status?: unknown }).status;
        if (typeof status === 'number') return status;
    }
    return undefined;
}

/**
 * Turns an error response into an `HttpError` whose message is a catalogue key, so that
 * react-admin's notifications show a translated sentence. Field problems become the
 * `body.errors` map that react-admin forms display under each input.
 */
export function toTranslatedHttpError(status: number, body: unknown): HttpError {
    const apiBody = (body && typeof body === 'object' ? body : {}) as ApiErrorBody;
    const code = apiBody.code ?? (status === 401 ? 'UNAUTHORIZED' : undefined);
    const fieldErrors =
        Array.isArray(apiBody.errors) && apiBody.errors.length > 0
            ? Object.fromEntries(apiBody.errors.map(problem => [problem.field, 'charla.errors.field_invalid']))
            : undefined;
    return new HttpError(errorMessageKey(code), status, {
        ...apiBody,
        code,
        errors: fieldErrors,
    });
}
