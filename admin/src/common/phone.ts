/** E.164: a plus sign and 8 to 15 digits, such as +573001234567. */
export const E164_PATTERN = /^\+[1-9]\d{7,14}$/;

/** Removes the spaces, dashes, dots and brackets people type, and keeps a leading plus. */
export function normalizePhone(value: string): string {
    return value.trim().replace(/[\s\-().]/g, '');
}

/** Validates an E.164 number for react-admin inputs and returns the catalogue key of the error. */
export function validateE164(value: unknown): string | undefined {
    if (value === undefined || value === null || value === '') return undefined;
    return E164_PATTERN.test(normalizePhone(String(value))) ? undefined : 'charla.validation.e164';
}
