import { describe, expect, it } from 'vitest';
import { contactLabel, conversationLabel } from './contactLabel';

describe('conversationLabel', () => {
    it('names a one-to-one chat after its contact', () => {
        expect(conversationLabel({ contact: { id: 'c1', name: 'Ana', phoneNumber: '+573000000002' }, group: null })).toBe('Ana');
        expect(conversationLabel({ contact: { id: 'c2', name: null, phoneNumber: '+573000000003' } })).toBe('+573000000003');
    });

    it('names a group chat after the group, never as a phone number', () => {
        expect(conversationLabel({ contact: null, group: { id: '120363000000000001@g.us', name: 'Clientes VIP' } })).toBe('👥 Clientes VIP');
        expect(conversationLabel({ contact: null, group: { id: '120363000000000001@g.us', name: null } })).toBe('👥 …0001');
    });

    it('shows a dash when nothing names the contact', () => {
        expect(contactLabel(null)).toBe('—');
    });
});
