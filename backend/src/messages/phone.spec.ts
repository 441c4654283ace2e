import { parseRecipient, phoneNumberFromJid, whatsAppCandidates } from './phone';

describe('parseRecipient', () => {
  const cases: [string, string, string][] = [
    ['+57 300 123 4567', 'CO', '+573001234567'],
    ['573001234567', 'CO', '+573001234567'],
    ['+573001234567@s.whatsapp.net', 'CO', '+573001234567'],
    ['300 123 4567', 'CO', '+573001234567'],
    ['(300) 123-4567', 'CO', '+573001234567'],
    ['0057 300 123 4567', 'CO', '+573001234567'],
    ['+52 1 55 1234 5678', 'CO', '+525512345678'],
    ['+54 9 11 2345 6789', 'CO', '+5491123456789'],
    ['+55 11 91234-5678', 'CO', '+5511912345678'],
    ['+34 612 34 56 78', 'CO', '+34612345678'],
    ['+1 (415) 555-2671', 'CO', '+14155552671'],
    ['612 345 678', 'ES', '+34612345678'],
    ['+57-300-123-4567', 'CO', '+573001234567'],
    ['(+57) 300 1234567', 'CO', '+573001234567'],
    ['+57 601 234 5678', 'CO', '+576012345678'],
    ['601 234 5678', 'CO', '+576012345678'],
    ['+52 55 1234 5678', 'CO', '+525512345678'],
    ['52 1 55 1234 5678', 'CO', '+525512345678'],
    ['0052 55 1234 5678', 'CO', '+525512345678'],
    ['55 1234 5678', 'MX', '+525512345678'],
    ['+54 11 2345-6789', 'CO', '+541123456789'],
    ['(011) 2345-6789', 'AR', '+541123456789'],
    ['+55 (11) 91234-5678', 'CO', '+5511912345678'],
    ['(11) 91234-5678', 'BR', '+5511912345678'],
    ['0034 612 34 56 78', 'CO', '+34612345678'],
    ['+34 912 345 678', 'CO', '+34912345678'],
    ['415-555-2671', 'US', '+14155552671'],
    ['001 415 555 2671', 'CO', '+14155552671'],
    ['14155552671', 'CO', '+14155552671'],
    ['573001234567@s.whatsapp.net', 'CO', '+573001234567'],
  ];

  it.each(cases)('reads %s (default %s) as %s', (input, country, expected) => {
    expect(parseRecipient(input, country).phoneNumber).toBe(expected);
    expect(parseRecipient(input, country).jid).toBe(`${expected.slice(1)}@s.whatsapp.net`);
  });

  it.each(['', 'hola', '123', '+57 300', '300-ABC-4567', '+999 123 456 789', '12345678901234567890', '../../etc/passwd', '+57 300 123 4567 ext 2', '123456789@lid'])('rejects %j with INVALID_PHONE', (input) => {
    expect(() => parseRecipient(input, 'CO')).toThrow(expect.objectContaining({ code: 'INVALID_PHONE' }));
  });
});

describe('phoneNumberFromJid', () => {
  it('reads user JIDs, with or without a device', () => {
    expect(phoneNumberFromJid('573001234567@s.whatsapp.net')).toBe('+573001234567');
    expect(phoneNumberFromJid('573001234567:12@s.whatsapp.net')).toBe('+573001234567');
  });

  it('never turns a LID or a group into a phone number', () => {
    expect(phoneNumberFromJid('123456789012345@lid')).toBeNull();
    expect(phoneNumberFromJid('120363025246125486@g.us')).toBeNull();
    expect(phoneNumberFromJid(undefined)).toBeNull();
  });
});

describe('whatsAppCandidates', () => {
  it.each([
    ['+525512345678', ['+525512345678', '+5215512345678']],
    ['+5215512345678', ['+5215512345678', '+525512345678']],
    ['+541123456789', ['+541123456789', '+5491123456789']],
    ['+5491123456789', ['+5491123456789', '+541123456789']],
    ['+5511912345678', ['+5511912345678', '+551112345678']],
    ['+551182345678', ['+551182345678', '+5511982345678']],
    ['+551132345678', ['+551132345678']],
    ['+573001234567', ['+573001234567']],
    ['+34612345678', ['+34612345678']],
    ['+14155552671', ['+14155552671']],
  ])('tries %s as %j', (input, expected) => {
    expect(whatsAppCandidates(input)).toEqual(expected);
  });
});
