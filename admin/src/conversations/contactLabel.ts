import type { ContactSummary } from '../types';

/** The contact's name, or its number when WhatsApp gave no name. */
export function contactLabel(contact: Partial<ContactSummary> | null | undefined): string {
    return contact?.name?.trim() || contact?.phoneNumber || '—';
}
