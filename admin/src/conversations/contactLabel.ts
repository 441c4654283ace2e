import type { ContactSummary } from '../types';

/** Returns the contact's name, or its number when WhatsApp provided no name. */
export function contactLabel(contact: Partial<ContactSummary> | null | undefined): string {
    return contact?.name?.trim() || contact?.phoneNumber || '—';
}

/** Returns what names a conversation: the group's name for a group chat, else the contact's label. */
export function conversationLabel(conversation: { contact?: Partial<ContactSummary> | null; group?: { id: string; name: string | null } | null }): string {
    if (conversation.group) return `👥 ${conversation.group.name?.trim() || `…${conversation.group.id.split('@')[0].slice(-4)}`}`;
    return contactLabel(conversation.contact);
}
