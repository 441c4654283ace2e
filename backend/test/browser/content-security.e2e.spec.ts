import type { Browser, BrowserContext } from 'playwright-core';
import request from 'supertest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, login } from '../setup/test-app';
import { assertPanelBuilt, describeWithChromium, launchChromium, logInThroughForm, newPanelContext, runScenario, SandboxBackend, startSandboxBackend } from './browser';

describeWithChromium()('Admin panel under the Content-Security-Policy', () => {
  let backend: SandboxBackend;
  let browser: Browser;
  let context: BrowserContext;
  let problems: string[];

  beforeAll(async () => {
    assertPanelBuilt();
    backend = await startSandboxBackend();
    browser = await launchChromium();
    ({ context, problems } = await newPanelContext(browser));
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await backend?.stop();
  });

  it('runs the panel, the live feed and QR images without violations', () =>
    runScenario('content-security', context, problems, async () => {
      const { server } = backend;
      const token = await login(server);
      const session = (await request(server.url).post('/api/sessions').set({ Authorization: `Bearer ${token}` }).send({ name: 'Caja' }).expect(201)).body.id;

      const page = await context.newPage();
      const violations: string[] = [];
      await page.exposeFunction('reportViolation', (text: string) => violations.push(text));
      // The callback runs in the page, which has the DOM types that this Node project lacks.
      await page.addInitScript(() => {
        (globalThis as any).document.addEventListener('securitypolicyviolation', (event: any) => (globalThis as any).reportViolation(`${event.violatedDirective} ${event.blockedURI}`));
      });

      await logInThroughForm(page, server.url, ADMIN_EMAIL, ADMIN_PASSWORD);
      await page.getByRole('status', { name: /Actualización en vivo activa|Live updates on/ }).waitFor();

      await page.goto(`${server.url}/dashboard/#/sessions/${session}/show`);
      await page.getByRole('button', { name: 'Conectar WhatsApp' }).click();
      const qr = page.locator('img[src^="data:image/png"]').first();
      await qr.waitFor();
      expect(await qr.evaluate((image) => (image as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);

      expect(violations).toEqual([]);
      expect(problems).toEqual([]);
    }));
});
