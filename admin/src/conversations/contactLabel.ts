import type { ContactSummary } from '../types';

/** Returns the contact's name, or its number when WhatsApp provided no name. */
export function contactLabel(contact: Partial<ContactSummary> | null | undefined): string {
    return contact?.name?.trim() || contact?.phoneNumber || '—';
}
