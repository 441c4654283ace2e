import type { WABrowserDescription, WASocket } from '@whiskeysockets/baileys';
import { randomBytes } from 'node:crypto';
import type { Baileys } from './baileys.provider';

/**
 * Asks WhatsApp for a pairing code the way Baileys' `requestPairingCode` does, but with `query`
 * instead of a fire-and-forget send: the code is returned only after the server accepted the
 * request, so a person never types a code that WhatsApp already rejected.
 */
export async function requestAcceptedPairingCode(baileys: Baileys, socket: WASocket, browser: WABrowserDescription, phoneDigits: string): Promise<string> {
  const creds = socket.authState.creds;
  const code = baileys.bytesToCrockford(randomBytes(5));
  creds.pairingCode = code;
  creds.me = { id: baileys.jidEncode(phoneDigits, 's.whatsapp.net'), name: '~' };
  socket.ev.emit('creds.update', creds);

  const salt = randomBytes(32);
  const iv = randomBytes(16);
  const key = await baileys.derivePairingCodeKey(code, salt);
  const wrappedEphemeral = Buffer.concat([salt, iv, baileys.aesEncryptCTR(creds.pairingEphemeralKeyPair.public, key, iv)]);

  await socket.query({
    tag: 'iq',
    attrs: { to: baileys.S_WHATSAPP_NET, type: 'set', id: socket.generateMessageTag(), xmlns: 'md' },
    content: [
      {
        tag: 'link_code_companion_reg',
        attrs: { jid: creds.me.id, stage: 'companion_hello', should_show_push_notification: 'true' },
        content: [
          { tag: 'link_code_pairing_wrapped_companion_ephemeral_pub', attrs: {}, content: wrappedEphemeral },
          { tag: 'companion_server_auth_key_pub', attrs: {}, content: creds.noiseKey.public },
          { tag: 'companion_platform_id', attrs: {}, content: baileys.getCompanionPlatformId(browser) },
          { tag: 'companion_platform_display', attrs: {}, content: `${browser[1]} (${browser[0]})` },
          { tag: 'link_code_pairing_nonce', attrs: {}, content: '0' },
        ],
      },
    ],
  });
  return code;
}
