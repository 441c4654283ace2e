import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { RunningServer } from '../../src/bootstrap';
import { waitForInbox } from '../setup/flows';
import { ADMIN_EMAIL, ADMIN_PASSWORD, eventually } from '../setup/test-app';
import {
  assertPanelBuilt,
  describeWithChromium,
  isSamePageLoad,
  launchChromium,
  logInThroughForm,
  markPageLoad,
  newPanelContext,
  publishScreenshot,
  runScenario,
  SandboxBackend,
  screenshot,
  startSandboxBackend,
  switchLanguage,
} from './browser';

const BUSINESS = '+573000000001';
const CUSTOMER = '+573000000002';
const CUSTOMER_MESSAGE = 'Hola, ¿tienen pan integral hoy?';
const REPLY = 'Sí, hasta las 6 pm. ¡Le esperamos!';

describeWithChromium()('Admin panel in Chromium against the real backend (sandbox)', () => {
  let backend: SandboxBackend;
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let problems: string[];

  beforeAll(async () => {
    assertPanelBuilt();
    backend = await startSandboxBackend();
    server = backend.server;
    browser = await launchChromium();
    ({ context, problems } = await newPanelContext(browser));
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await backend?.stop();
  });

  it('links by QR and replies live', () =>
    runScenario('panel', context, problems, async () => {
      const page = await context.newPage();
      const base = server.url;

      // Log in: the panel starts in Spanish. The login page must appear after a few history entries,
      // because react-admin's logout loop (see authProvider.checkAuth) once pushed hundreds.
      await page.addInitScript(() => {
        const history = (globalThis as any).history;
        const pushState = history.pushState.bind(history);
        (globalThis as any).__charlaPushStates = 0;
        history.pushState = (...args: unknown[]) => {
          (globalThis as any).__charlaPushStates += 1;
          return pushState(...args);
        };
      });
      await page.goto(`${base}/dashboard/`);
      await page.getByRole('button', { name: 'Iniciar sesión' }).waitFor({ timeout: 5_000 });
      expect(await page.evaluate(() => (globalThis as any).__charlaPushStates as number)).toBeLessThanOrEqual(3);
      await screenshot(page, '01-login-es');
      await logInThroughForm(page, base, ADMIN_EMAIL, ADMIN_PASSWORD);
      await page.getByText('Mensajes de hoy').waitFor();
      await screenshot(page, '02-dashboard-es');

      // Switch to English, which survives a reload, and then back to Spanish.
      await switchLanguage(page, 'Español', 'English');
      await page.getByText('Messages today').waitFor();
      await page.reload();
      await page.getByText('Messages today').waitFor();
      await page.getByRole('button', { name: 'English', exact: true }).waitFor();
      await screenshot(page, '03-dashboard-en');
      await switchLanguage(page, 'English', 'Español');
      await page.reload();
      await page.getByText('Mensajes de hoy').waitFor();
      expect(await page.getByText('Messages today').count()).toBe(0);

      // Create a connection from the empty list.
      await page.getByRole('menuitem', { name: 'Conexiones WhatsApp' }).click();
      await page.getByText('Todavía no hay ningún número de WhatsApp vinculado').waitFor();
      await screenshot(page, '04-connections-empty-es');
      await page.getByRole('link', { name: 'Agregar una conexión' }).click();
      await page.getByLabel('Nombre').fill('Tienda centro');
      await page.getByRole('button', { name: 'Guardar' }).click();
      await page.getByRole('heading', { level: 1, name: 'Tienda centro' }).waitFor();
      const sessionChip = page.locator('h1:has-text("Tienda centro") ~ [data-status]');
      await sessionChip.and(page.locator('[data-status="disconnected"]')).waitFor();

      // Connect: the QR code appears on the page.
      await page.getByRole('button', { name: 'Conectar WhatsApp' }).click();
      const qrImage = page.getByTestId('qr-image');
      await qrImage.waitFor();
      expect(await qrImage.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
      await page.getByTestId('qr-countdown').waitFor();
      const qrShot = await screenshot(page, '05-connection-qr-es');
      publishScreenshot(qrShot, 'connection-qr.png');
      await markPageLoad(page);

      // A second tab: the sandbox's virtual phone scans the QR with one click.
      const sandbox = await context.newPage();
      await sandbox.goto(`${base}/dashboard/#/sandbox`);
      await sandbox.getByText('Teléfono virtual del negocio').waitFor();
      await sandbox.getByLabel('Número de teléfono').fill(BUSINESS);
      // Enabled once the page has picked the connection that shows a QR code.
      const scanButton = sandbox.getByRole('button', { name: 'Escanear código QR', disabled: false });
      await scanButton.waitFor();
      await screenshot(sandbox, '06-sandbox-es');
      await scanButton.click();
      await sandbox.getByText('Código QR escaneado').waitFor();

      // The first tab turns green by itself.
      await sessionChip.and(page.locator('[data-status="connected"]')).waitFor();
      await page.getByText(`Conectado como ${BUSINESS}`).waitFor();
      await expect(qrImage.count()).resolves.toBe(0);
      // The chip's colour fades in over a CSS transition, so poll until it settles on green.
      await eventually(async () => (isGreen(await backgroundColor(sessionChip)) ? true : undefined), 5_000);
      expect(await isSamePageLoad(page)).toBe(true);
      await screenshot(page, '07-connection-connected-es');

      // The inbox shows the customer's message as it arrives.
      await page.getByRole('menuitem', { name: 'Conversaciones' }).click();
      await page.getByText('Todavía no hay conversaciones').waitFor();
      await sandbox.bringToFront();
      await sandbox.getByLabel('Número del cliente').fill(CUSTOMER);
      await sandbox.getByLabel('Nombre del cliente').fill('Ana');
      await sandbox.getByLabel('Mensaje').fill(CUSTOMER_MESSAGE);
      await sandbox.getByRole('button', { name: 'Enviar como cliente' }).click();
      await sandbox.getByText('Mensaje enviado.').waitFor();

      await page.bringToFront();
      const row = page.locator('tbody tr', { hasText: CUSTOMER_MESSAGE });
      await row.waitFor();
      await expect(row.innerText()).resolves.toContain('Ana');
      expect(await isSamePageLoad(page)).toBe(true);
      await screenshot(page, '08-conversations-es');

      // Open the thread and reply with Enter. The ticks follow the delivery.
      await row.click();
      await page.locator('[data-testid="message-bubble"][data-direction="in"]', { hasText: CUSTOMER_MESSAGE }).waitFor();
      await recordBubbleStatuses(page, REPLY);
      const box = page.getByRole('textbox', { name: 'Escriba una respuesta' });
      await box.fill(REPLY);
      await box.press('Enter');
      const reply = page.locator('[data-testid="message-bubble"][data-direction="out"]', { hasText: REPLY });
      await reply.waitFor();
      // The bubble can arrive over Socket.IO before the send request returns and clears the box.
      await eventually(async () => ((await box.inputValue()) === '' ? true : undefined), 5000);
      await page.locator('[data-testid="message-bubble"][data-direction="out"][data-status="delivered"]', { hasText: REPLY }).waitFor();
      await expect(reply.locator('[data-tick]').getAttribute('data-tick')).resolves.toBe('double');
      await expect(reply.getByRole('img', { name: 'Entregado' }).count()).resolves.toBe(1);
      const statuses = await page.evaluate(() => (globalThis as any).__charlaBubbleStatuses as string[]);
      expect(statuses[0]).not.toBe('delivered');
      expect(statuses[statuses.length - 1]).toBe('delivered');
      const threadShot = await screenshot(page, '09-thread-es');
      publishScreenshot(threadShot, 'conversation.png');

      // The reply reaches the virtual customer: on the sandbox page and through the API.
      await sandbox.bringToFront();
      const inboxEntry = sandbox.getByTestId('sandbox-inbox').getByRole('listitem').filter({ hasText: REPLY });
      await inboxEntry.getByText(new RegExp(`^${BUSINESS.replace('+', '\\+')} · .* · (Entregado|Leído)$`)).waitFor();
      const token = await page.evaluate(() => (globalThis as any).localStorage.getItem('charla.auth.token') as string);
      const inbox = await waitForInbox(server, token, CUSTOMER, (entries) => entries.some((entry) => entry.content === REPLY));
      expect(inbox.find((entry) => entry.content === REPLY)).toMatchObject({ from: BUSINESS });

      // The dashboard counts what happened.
      await page.bringToFront();
      await page.getByRole('menuitem', { name: 'Inicio' }).click();
      await page.getByText('Mensajes de hoy').waitFor();
      await page.getByTestId('sessions-by-status').getByText('Conectado').waitFor();
      await screenshot(page, '10-dashboard-es');

      // The same screens in English.
      await switchLanguage(page, 'Español', 'English');
      await page.getByRole('menuitem', { name: 'WhatsApp connections' }).click();
      await page.locator('tbody tr', { hasText: 'Tienda centro' }).getByText('Connected').waitFor();
      await screenshot(page, '11-connections-en');
      await page.locator('tbody tr', { hasText: 'Tienda centro' }).click();
      await page.getByText(`Connected as ${BUSINESS}`).waitFor();
      await screenshot(page, '12-connection-connected-en');
      await page.getByRole('menuitem', { name: 'Conversations' }).click();
      await page.locator('tbody tr', { hasText: REPLY }).click();
      await page.getByRole('textbox', { name: 'Write a reply' }).waitFor();
      await screenshot(page, '13-thread-en');
      await switchLanguage(page, 'English', 'Español');

      expect(await isSamePageLoad(page)).toBe(true);
      expect(problems).toEqual([]);
  }));
});

/** Records every status the outbound bubble with `text` shows, in order, in `window.__charlaBubbleStatuses`. */
async function recordBubbleStatuses(page: Page, text: string): Promise<void> {
  await page.evaluate((content) => {
    const global = globalThis as any;
    global.__charlaBubbleStatuses = [];
    const record = () => {
      for (const bubble of global.document.querySelectorAll('[data-testid="message-bubble"][data-direction="out"]')) {
        if (!bubble.textContent.includes(content)) continue;
        const statuses: string[] = global.__charlaBubbleStatuses;
        const status = bubble.getAttribute('data-status');
        if (statuses[statuses.length - 1] !== status) statuses.push(status);
      }
    };
    new global.MutationObserver(record).observe(global.document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
  }, text);
}

function backgroundColor(locator: Locator): Promise<string> {
  return locator.evaluate((element) => (globalThis as any).getComputedStyle(element).backgroundColor as string);
}

/** Returns whether a CSS `rgb(...)` colour is clearly green. */
function isGreen(color: string): boolean {
  const [red, green, blue] = (color.match(/\d+/g) ?? []).map(Number);
  return green > red + 40 && green > blue + 40;
}
