import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import type { Browser, BrowserContext } from 'playwright-core';
import request from 'supertest';
import type { RunningServer } from '../../src/bootstrap';
import { ADMIN_EMAIL, ADMIN_PASSWORD, eventually, login } from '../setup/test-app';
import { assertPanelBuilt, describeWithChromium, launchChromium, logInThroughForm, newPanelContext, runScenario, SandboxBackend, screenshot, SeededChat, seedChat, startSandboxBackend } from './browser';

const BUSINESS = '+573000000091';
const CUSTOMER = '+573000000092';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Builds one second of a 440 Hz tone as 8 kHz mono 16-bit WAV, which Chromium's <audio> plays without codecs. */
function toneWav(seconds = 1, rate = 8000): Buffer {
  const samples = seconds * rate;
  const data = Buffer.alloc(samples * 2);
  for (let index = 0; index < samples; index++) data.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * index) / rate)), index * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** Builds a 32x32 PNG with a colour of its own, so every run sends new bytes. */
function photo(): Buffer {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (data: Buffer) => {
    let c = 0xffffffff;
    for (const byte of data) c = table[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const size = 32;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const colour = Buffer.from([Date.now() % 256, 120, 200]);
  const row = Buffer.concat([Buffer.from([0]), ...Array.from({ length: size }, () => colour)]);
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.concat(Array.from({ length: size }, () => row)))), chunk('IEND', Buffer.alloc(0))]);
}

describeWithChromium()('Media in the admin panel', () => {
  let backend: SandboxBackend;
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let problems: string[];
  let token: string;
  let chat: SeededChat;

  beforeAll(async () => {
    assertPanelBuilt();
    backend = await startSandboxBackend();
    server = backend.server;
    token = await login(server);
    chat = await seedChat(server, token, { business: BUSINESS, sessionName: 'Tienda fotos', customer: CUSTOMER, customerName: 'Camila', content: '¿Me manda una foto?' });
    browser = await launchChromium();
    ({ context, problems } = await newPanelContext(browser));
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await backend?.stop();
  });

  it('plays a received voice note and sends a photo', () =>
    runScenario('media', context, problems, async () => {
      const auth = { Authorization: `Bearer ${token}` };
      const voice = toneWav();
      const sent = await request(server.url)
        .post('/api/sandbox/messages')
        .set(auth)
        .send({ from: CUSTOMER, to: BUSINESS, type: 'audio', ptt: true, seconds: 1, mimeType: 'audio/wav', data: voice.toString('base64') })
        .expect(201);
      await eventually(async () => {
        const messages = await request(server.url).get(`/api/conversations/${chat.conversationId}/messages`).set(auth).expect(200);
        return messages.body.find((message: any) => message.waMessageId === sent.body.waMessageId && message.data?.media?.status === 'stored');
      });

      const page = await context.newPage();
      await logInThroughForm(page, server.url, ADMIN_EMAIL, ADMIN_PASSWORD);
      await page.goto(`${server.url}/dashboard/#/conversations/${chat.conversationId}/show`);

      // The voice note loads from its signed URL and plays.
      const player = page.getByTestId('media-voice-note');
      await player.waitFor();
      await page.getByText('🎤 Nota de voz').first().waitFor();
      const playback = await player.evaluate(async (element) => {
        // The browser's HTMLAudioElement; this project's tests compile without the DOM typings.
        const audio = element as unknown as { muted: boolean; play(): Promise<void>; duration: number; readyState: number; currentTime: number; error: { message: string } | null };
        audio.muted = true;
        await audio.play();
        await new Promise((resolve) => setTimeout(resolve, 300));
        return { duration: audio.duration, readyState: audio.readyState, currentTime: audio.currentTime, error: audio.error?.message ?? null };
      });
      expect(playback.error).toBeNull();
      expect(playback.duration).toBeCloseTo(1, 1);
      expect(playback.readyState).toBeGreaterThanOrEqual(2);
      expect(playback.currentTime).toBeGreaterThan(0);

      // Attach a photo with the file chooser, add a caption and send it.
      const picture = photo();
      await page.getByTestId('attach-input').setInputFiles({ name: 'pan-integral.png', mimeType: 'image/png', buffer: picture });
      await page.getByText('Se enviará como foto').waitFor();
      await page.getByRole('textbox', { name: 'Escriba un texto para el archivo (opcional)' }).fill('Pan integral recién horneado');
      await page.getByRole('button', { name: 'Enviar', exact: true }).click();

      const received = await eventually(async () => {
        const response = await fetch(new URL(`/control/inbox/${encodeURIComponent(CUSTOMER)}`, backend.simulator.simulator.controlUrl));
        const inbox = (await response.json()) as any[];
        return inbox.find((entry) => entry.type === 'image' && entry.media?.sha256 === sha256(picture));
      }, 30_000);
      expect(received).toMatchObject({ content: 'Pan integral recién horneado', media: { size: picture.length, mimeType: 'image/png' } });
      const bytes = Buffer.from(await (await fetch(new URL(`/control/media/${received.waMessageId}`, backend.simulator.simulator.controlUrl))).arrayBuffer());
      expect(sha256(bytes)).toBe(sha256(picture));

      // The thread shows the sent photo from the stored copy.
      const image = page.getByTestId('media-image').last();
      await image.waitFor();
      await page.waitForFunction(() => {
        const images = [...(globalThis as any).document.querySelectorAll('[data-testid="media-image"]')] as { complete: boolean; naturalWidth: number }[];
        return images.some((element) => element.complete && element.naturalWidth === 32);
      });
      await screenshot(page, 'media-thread');
      expect(problems).toEqual([]);
    }));
});
