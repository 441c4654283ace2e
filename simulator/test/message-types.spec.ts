import { createHash } from 'node:crypto';
import { startSimulator, type WhatsAppSimulator } from '../src';
import { api, eventually, linkAndLogin, loadBaileys, memoryAuth, type Baileys, type TestClient } from './helpers';

const PHONE = '+573100000001';
const CONTACT = '+573100000002';
const CONTACT_JID = '573100000002@s.whatsapp.net';
const ACCOUNT_JID = '573100000001@s.whatsapp.net';

// One linked account and one contact exchange every common message type in both directions.
describe('message types with real Baileys', () => {
  let wa: Baileys;
  let sim: WhatsAppSimulator;
  let client: TestClient;

  beforeAll(async () => {
    wa = await loadBaileys();
    sim = await startSimulator({});
    wa.WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(sim.rootPublicKey);
    ({ client } = await linkAndLogin(wa, sim, memoryAuth(wa), PHONE));
    await client.waitFor('connection.update', d => d.receivedPendingNotifications === true, 10_000, 'offline marker');
  });

  afterAll(async () => {
    await new Promise(resolve => setTimeout(resolve, 300));
    await client?.end();
    await sim?.close();
  });

  /** Posts a contact message and returns the Baileys upsert of it. */
  const inbound = async (body: Record<string, unknown>, from = CONTACT) => {
    const sent = await api(sim.controlUrl, 'POST', '/control/messages', { from, to: PHONE, ...body });
    expect(sent).toMatchObject({ status: 201, body: { waMessageId: expect.any(String) } });
    const id = sent.body.waMessageId as string;
    const upsert = await client.waitFor('messages.upsert', d => d.messages.some((m: any) => m.key.id === id), 10_000, `upsert of ${body.type}`);
    return upsert.messages.find((m: any) => m.key.id === id);
  };

  /** Sends from the app and returns the contact's inbox entry for it. */
  const outbound = async (content: any) => {
    const sent = await client.sock.sendMessage(CONTACT_JID, content);
    const id = sent!.key.id!;
    const item = await eventually(async () => {
      const res = await api<any[]>(sim.controlUrl, 'GET', `/control/inbox/${encodeURIComponent(CONTACT)}`);
      return res.body.find(entry => entry.waMessageId === id);
    }, 10_000, 'inbox entry');
    return { sent: sent!, item };
  };

  it('inbound content types', async () => {
    expect((await inbound({ content: 'plain' })).message.conversation).toBe('plain');

    const preview = await inbound({ content: 'see https://example.com', linkPreview: { url: 'https://example.com', title: 'Example', description: 'A site' } });
    expect(preview.message.extendedTextMessage).toMatchObject({ text: 'see https://example.com', matchedText: 'https://example.com', title: 'Example', description: 'A site' });

    const location = await inbound({ type: 'location', latitude: 4.65, longitude: -74.05, name: 'Shop', address: 'Calle 1' });
    expect(location.message.locationMessage).toMatchObject({ degreesLatitude: 4.65, degreesLongitude: -74.05, name: 'Shop', address: 'Calle 1' });

    const live = await inbound({ type: 'liveLocation', latitude: 6.2, longitude: -75.5, caption: 'on my way' });
    expect(live.message.liveLocationMessage).toMatchObject({ degreesLatitude: 6.2, degreesLongitude: -75.5, caption: 'on my way' });

    const card = await inbound({ type: 'contact', name: 'Bob', phoneNumber: '+573100000009' });
    expect(card.message.contactMessage.displayName).toBe('Bob');
    expect(card.message.contactMessage.vcard).toContain('waid=573100000009:+573100000009');

    const cards = await inbound({ type: 'contact', contacts: [{ name: 'A', phoneNumber: '+573100000010' }, { name: 'B', phoneNumber: '+573100000011' }] });
    expect(cards.message.contactsArrayMessage.contacts.map((c: any) => c.displayName)).toEqual(['A', 'B']);

    const button = await inbound({ type: 'buttonReply', id: 'yes', title: 'Yes' });
    expect(button.message.buttonsResponseMessage).toMatchObject({ selectedButtonId: 'yes', selectedDisplayText: 'Yes' });

    const list = await inbound({ type: 'listReply', id: 'row-2', title: 'Large' });
    expect(list.message.listResponseMessage).toMatchObject({ title: 'Large', singleSelectReply: { selectedRowId: 'row-2' } });

    const bad = await api(sim.controlUrl, 'POST', '/control/messages', { from: CONTACT, to: PHONE, type: 'location', latitude: 200, longitude: 0 });
    expect(bad).toMatchObject({ status: 400, body: { code: 'INVALID_CONTENT' } });
    const unknownType = await api(sim.controlUrl, 'POST', '/control/messages', { from: CONTACT, to: PHONE, type: 'hologram' });
    expect(unknownType).toMatchObject({ status: 400, body: { code: 'INVALID_TYPE' } });
  });

  it('inbound references to earlier messages', async () => {
    const { sent } = await outbound({ text: 'your order is ready' });
    const accountMsgId = sent.key.id!;

    const reaction = await inbound({ type: 'reaction', waMessageId: accountMsgId, emoji: '👍' });
    expect(reaction.message.reactionMessage.text).toBe('👍');
    // Baileys turns the key into the account's view: the account sent the message.
    expect(reaction.message.reactionMessage.key).toMatchObject({ id: accountMsgId, fromMe: true });
    const removed = await inbound({ type: 'reaction', waMessageId: accountMsgId, emoji: '' });
    expect(removed.message.reactionMessage.text).toBe('');

    const reply = await inbound({ content: 'thanks!', replyTo: accountMsgId });
    expect(reply.message.extendedTextMessage.contextInfo).toMatchObject({
      stanzaId: accountMsgId,
      participant: ACCOUNT_JID,
      quotedMessage: { extendedTextMessage: { text: 'your order is ready' } },
    });

    const original = await inbound({ content: 'I want 2' });
    const locationReply = await inbound({ type: 'location', latitude: 1, longitude: 2, replyTo: original.key.id });
    expect(locationReply.message.locationMessage.contextInfo).toMatchObject({ stanzaId: original.key.id, participant: CONTACT_JID, quotedMessage: { conversation: 'I want 2' } });

    const edit = await inbound({ type: 'edit', waMessageId: original.key.id, content: 'I want 3' });
    expect(edit.message.protocolMessage).toMatchObject({ type: wa.proto.Message.ProtocolMessage.Type.MESSAGE_EDIT, key: { id: original.key.id }, editedMessage: { conversation: 'I want 3' } });
    await client.waitFor('messages.update', d => d.some((u: any) => u.key.id === original.key.id && u.update.message?.editedMessage), 10_000, 'edit update');

    const revoke = await inbound({ type: 'delete', waMessageId: original.key.id });
    expect(revoke.message.protocolMessage).toMatchObject({ type: wa.proto.Message.ProtocolMessage.Type.REVOKE, key: { id: original.key.id } });
    await client.waitFor('messages.update', d => d.some((u: any) => u.key.id === original.key.id && u.update.messageStubType === wa.WAMessageStubType.REVOKE), 10_000, 'revoke update');

    const notMine = await api(sim.controlUrl, 'POST', '/control/messages', { from: CONTACT, to: PHONE, type: 'edit', waMessageId: accountMsgId, content: 'x' });
    expect(notMine).toMatchObject({ status: 409, body: { code: 'NOT_SENDER' } });
    const missing = await api(sim.controlUrl, 'POST', '/control/messages', { from: CONTACT, to: PHONE, type: 'reaction', waMessageId: '3EB0NOPE', emoji: '❤️' });
    expect(missing).toMatchObject({ status: 404, body: { code: 'MESSAGE_NOT_FOUND' } });
  });

  it('inbound polls and votes', async () => {
    const single = await inbound({ type: 'poll', name: 'Size?', options: ['S', 'M', 'L'], multiple: false });
    expect(single.message.pollCreationMessageV3).toMatchObject({ name: 'Size?', selectableOptionsCount: 1, options: [{ optionName: 'S' }, { optionName: 'M' }, { optionName: 'L' }] });
    expect(single.message.messageContextInfo.messageSecret).toHaveLength(32);
    const multiple = await inbound({ type: 'poll', name: 'Toppings?', options: ['Cheese', 'Ham'], multiple: true });
    expect(multiple.message.pollCreationMessage).toMatchObject({ name: 'Toppings?', selectableOptionsCount: 0 });

    // The app's own poll, voted on by the contact.
    const { sent, item } = await outbound({ poll: { name: 'Delivery day?', values: ['Mon', 'Tue', 'Wed'], selectableCount: 1 } });
    expect(item).toMatchObject({ type: 'poll', message: { name: 'Delivery day?', options: ['Mon', 'Tue', 'Wed'], multiple: false } });
    const vote = await inbound({ type: 'pollVote', waMessageId: sent.key.id, options: ['Tue'] });
    const update = vote.message.pollUpdateMessage;
    expect(update.pollCreationMessageKey).toMatchObject({ id: sent.key.id, fromMe: true });
    const decrypted = wa.decryptPollVote(update.vote, {
      pollCreatorJid: ACCOUNT_JID,
      pollMsgId: sent.key.id!,
      pollEncKey: sent.message!.messageContextInfo!.messageSecret!,
      voterJid: CONTACT_JID,
    });
    expect(decrypted.selectedOptions.map(o => Buffer.from(o).toString('hex'))).toEqual([createHash('sha256').update('Tue').digest('hex')]);

    const wrong = await api(sim.controlUrl, 'POST', '/control/messages', { from: CONTACT, to: PHONE, type: 'pollVote', waMessageId: sent.key.id, options: ['Sun'] });
    expect(wrong).toMatchObject({ status: 400, body: { code: 'INVALID_CONTENT' } });
  });

  it('outbound types decoded into inbox', async () => {
    const location = await outbound({ location: { degreesLatitude: 4.6, degreesLongitude: -74.1, name: 'Store', address: 'Cra 7' } });
    expect(location.item).toMatchObject({ type: 'location', message: { latitude: 4.6, longitude: -74.1, name: 'Store', address: 'Cra 7' } });

    const vcard = 'BEGIN:VCARD\nVERSION:3.0\nFN:Support\nTEL;type=CELL;waid=573100000020:+573100000020\nEND:VCARD';
    const card = await outbound({ contacts: { displayName: 'Support', contacts: [{ displayName: 'Support', vcard }] } });
    expect(card.item).toMatchObject({ type: 'contact', message: { name: 'Support', vcard } });

    const text = await outbound({ text: 'first version' });
    const react = await outbound({ react: { text: '🎉', key: text.sent.key } });
    expect(react.item).toMatchObject({ type: 'reaction', message: { waMessageId: text.sent.key.id, emoji: '🎉' } });

    const edit = await outbound({ text: 'second version', edit: text.sent.key });
    expect(edit.item).toMatchObject({ type: 'edit', content: 'second version', message: { waMessageId: text.sent.key.id } });

    const question = await inbound({ content: 'do you deliver?' });
    const quoted = await client.sock.sendMessage(CONTACT_JID, { text: 'every day' }, { quoted: question });
    const quotedItem = await eventually(async () => {
      const res = await api<any[]>(sim.controlUrl, 'GET', `/control/inbox/${encodeURIComponent(CONTACT)}`);
      return res.body.find(entry => entry.waMessageId === quoted!.key.id);
    }, 10_000, 'quoted inbox entry');
    expect(quotedItem).toMatchObject({ type: 'text', content: 'every day', quoted: { waMessageId: question.key.id, participant: CONTACT_JID, type: 'text', content: 'do you deliver?' } });

    const revoke = await outbound({ delete: text.sent.key });
    expect(revoke.item).toMatchObject({ type: 'delete', message: { waMessageId: text.sent.key.id } });
    const inbox = await api<any[]>(sim.controlUrl, 'GET', `/control/inbox/${encodeURIComponent(CONTACT)}`);
    expect(inbox.body.find(entry => entry.waMessageId === text.sent.key.id)).toMatchObject({ content: 'second version', edited: true, deleted: true });
  });
});
