import { classifyJid, extractContent } from './message-content';

describe('extractContent', () => {
  const quoted = { contextInfo: { stanzaId: '3EB0QUOTED', participant: '573000000002@s.whatsapp.net' } };

  it.each([
    ['plain text', { conversation: 'Hola' }, { type: 'text', content: 'Hola' }],
    ['extended text', { extendedTextMessage: { text: 'Mira esto' } }, { type: 'text', content: 'Mira esto' }],
    ['ephemeral wrapper', { ephemeralMessage: { message: { conversation: 'efímero' } } }, { type: 'text', content: 'efímero' }],
    ['view-once wrapper', { viewOnceMessageV2: { message: { imageMessage: { caption: 'una vez', mimetype: 'image/jpeg' } } } }, { type: 'image', content: 'una vez' }],
    ['document with caption', { documentWithCaptionMessage: { message: { documentMessage: { caption: 'factura', fileName: 'f.pdf', mimetype: 'application/pdf' } } } }, { type: 'document', content: 'factura' }],
    ['nested wrappers', { ephemeralMessage: { message: { viewOnceMessage: { message: { conversation: 'doble' } } } } }, { type: 'text', content: 'doble' }],
    ['edited wrapper', { editedMessage: { message: { conversation: 'corregido' } } }, { type: 'text', content: 'corregido' }],
    ['location', { locationMessage: { degreesLatitude: 4.6, degreesLongitude: -74.08, name: 'Tienda' } }, { type: 'location', content: 'Tienda' }],
    ['live location', { liveLocationMessage: { degreesLatitude: 4.6, degreesLongitude: -74.08 } }, { type: 'liveLocation', content: null }],
    ['contact card', { contactMessage: { displayName: 'Ana', vcard: 'BEGIN:VCARD' } }, { type: 'contact', content: 'Ana' }],
    ['contact cards', { contactsArrayMessage: { contacts: [{ displayName: 'Ana' }, { displayName: 'Luis' }] } }, { type: 'contact', content: 'Ana, Luis' }],
    ['reaction', { reactionMessage: { key: { id: '3EB0TARGET' }, text: '👍' } }, { type: 'reaction', content: '👍' }],
    ['poll', { pollCreationMessageV3: { name: '¿Sabor?', options: [{ optionName: 'Mango' }, { optionName: 'Lulo' }], selectableOptionsCount: 1 } }, { type: 'poll', content: '¿Sabor?' }],
    ['poll vote', { pollUpdateMessage: { pollCreationMessageKey: { id: '3EB0POLL' } } }, { type: 'pollVote', content: null }],
    ['button reply', { buttonsResponseMessage: { selectedButtonId: 'yes', selectedDisplayText: 'Sí' } }, { type: 'buttonReply', content: 'Sí' }],
    ['list reply', { listResponseMessage: { title: 'Envío', singleSelectReply: { selectedRowId: 'ship' } } }, { type: 'listReply', content: 'Envío' }],
    ['voice note', { audioMessage: { ptt: true, mimetype: 'audio/ogg' } }, { type: 'audio', content: null }],
    ['sticker', { stickerMessage: { mimetype: 'image/webp' } }, { type: 'sticker', content: null }],
    ['delete for everyone', { protocolMessage: { type: 0, key: { id: '3EB0GONE' } } }, { type: 'delete', content: null }],
    ['edit', { protocolMessage: { type: 14, key: { id: '3EB0OLD' }, editedMessage: { conversation: 'nuevo texto' } } }, { type: 'edit', content: 'nuevo texto' }],
  ])('reads %s', (_name, message, expected) => {
    expect(extractContent(message as never)).toMatchObject(expected);
  });

  it('keeps type-specific data', () => {
    expect(extractContent({ locationMessage: { degreesLatitude: 4.6, degreesLongitude: -74.08 } })?.data).toMatchObject({ latitude: 4.6, longitude: -74.08 });
    expect(extractContent({ reactionMessage: { key: { id: '3EB0TARGET' }, text: '' } })?.data).toEqual({ targetWaMessageId: '3EB0TARGET', emoji: '' });
    expect(extractContent({ pollCreationMessage: { name: 'P', options: [{ optionName: 'A' }, { optionName: 'B' }], selectableOptionsCount: 0 } })?.data).toEqual({ name: 'P', options: ['A', 'B'], multiple: true });
    expect(extractContent({ audioMessage: { ptt: true, mimetype: 'audio/ogg' } })?.data).toMatchObject({ voiceNote: true });
  });

  it('finds the quoted message of a reply', () => {
    expect(extractContent({ extendedTextMessage: { text: 'Sí, ese', ...quoted } })).toMatchObject({ type: 'text', quotedWaMessageId: '3EB0QUOTED' });
    expect(extractContent({ locationMessage: { degreesLatitude: 1, degreesLongitude: 2, ...quoted } })?.quotedWaMessageId).toBe('3EB0QUOTED');
  });

  it('never shows an unknown message as empty text', () => {
    expect(extractContent({ orderMessage: { orderId: '1' } } as never)).toEqual({ type: 'unknown', content: null, data: { messageType: 'orderMessage' } });
  });

  it('ignores signalling-only messages', () => {
    expect(extractContent({ senderKeyDistributionMessage: { groupId: 'g' } })).toBeUndefined();
    expect(extractContent({ protocolMessage: { type: 5 } })).toBeUndefined();
  });
});

describe('classifyJid', () => {
  it.each([
    ['573001234567@s.whatsapp.net', 'user'],
    ['573001234567:3@s.whatsapp.net', 'user'],
    ['123456789012345@lid', 'lid'],
    ['120363025246125486@g.us', 'group'],
    ['status@broadcast', 'status'],
    ['120363025246125486@newsletter', 'newsletter'],
    ['1234@broadcast', 'broadcast'],
    ['nonsense', 'unknown'],
  ])('classifies %s as %s', (jid, kind) => {
    expect(classifyJid(jid)).toBe(kind);
  });
});
