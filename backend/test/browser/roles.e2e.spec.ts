import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import type { RunningServer } from '../../src/bootstrap';
import { ADMIN_EMAIL, login } from '../setup/test-app';
import {
  assertPanelBuilt,
  createUser,
  describeWithChromium,
  launchChromium,
  logInThroughForm,
  newPanelContext,
  runScenario,
  SandboxBackend,
  screenshot,
  SeededChat,
  seedChat,
  startSandboxBackend,
} from './browser';

const AGENT = { email: 'agente@charla.test', name: 'Agente Uno', password: 'agent-password-123', role: 'agent' as const };

/** Buttons that link, relink, unlink or delete a connection, none of which an agent may see. */
const ADMIN_ONLY_BUTTONS = /^(Conectar WhatsApp|Conectar de nuevo|Desconectar|Vincular con número de teléfono|Eliminar|Obtener un código nuevo)$/;

describeWithChromium()('Agent role in the admin panel', () => {
  let backend: SandboxBackend;
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let problems: string[];
  let adminToken: string;
  let agentToken: string;
  let chat: SeededChat;
  const sessions: Record<'connected' | 'qr' | 'disconnected', string> = { connected: '', qr: '', disconnected: '' };

  beforeAll(async () => {
    assertPanelBuilt();
    backend = await startSandboxBackend();
    server = backend.server;
    adminToken = await login(server);
    const auth = { Authorization: `Bearer ${adminToken}` };

    chat = await seedChat(server, adminToken, { business: '+573000000021', sessionName: 'Tienda norte', customer: '+573000000022', customerName: 'Luis', content: 'Buenas tardes' });
    sessions.connected = chat.sessionId;
    sessions.disconnected = (await request(server.url).post('/api/sessions').set(auth).send({ name: 'Sucursal sur' }).expect(201)).body.id;
    sessions.qr = (await request(server.url).post('/api/sessions').set(auth).send({ name: 'Caja dos' }).expect(201)).body.id;
    await request(server.url).post(`/api/sessions/${sessions.qr}/connect`).set(auth).expect(202);

    await createUser(server, adminToken, AGENT);
    agentToken = await login(server, AGENT.email, AGENT.password);

    browser = await launchChromium();
    ({ context, problems } = await newPanelContext(browser));
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await backend?.stop();
  });

  it.each(['/api/users', '/api/tenants'])('rejects an agent on GET %s', async (path) => {
    const response = await request(server.url).get(path).set({ Authorization: `Bearer ${agentToken}` });
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('hides administration from an agent', () =>
    runScenario('roles', context, problems, async () => {
      const page = await context.newPage();
      await logInThroughForm(page, server.url, AGENT.email, AGENT.password);

      const menu = page.getByRole('menu').first();
      await menu.getByRole('menuitem', { name: 'Conversaciones' }).waitFor();
      const entries = await menu.getByRole('menuitem').allInnerTexts();
      expect(entries.map((entry) => entry.trim())).toEqual(['Inicio', 'Conversaciones', 'Contactos', 'Conexiones WhatsApp']);
      await screenshot(page, 'agent-dashboard-es');

      await page.getByRole('menuitem', { name: 'Conexiones WhatsApp' }).click();
      await page.locator('tbody tr', { hasText: 'Caja dos' }).waitFor();
      expect(await page.getByRole('link', { name: 'Crear' }).count()).toBe(0);

      for (const [status, sessionId] of Object.entries(sessions)) {
        await page.goto(`${server.url}/dashboard/#/sessions/${sessionId}/show`);
        const chip = page.locator(`h1 ~ [data-status="${status}"]`);
        await chip.waitFor();
        if (status !== 'connected') await page.getByText('Solo un administrador puede vincular o reconectar este número.').waitFor();
        expect(await page.getByTestId('qr-image').count()).toBe(0);
        expect(await page.getByTestId('qr-waiting').count()).toBe(0);
        expect(await page.getByRole('button', { name: ADMIN_ONLY_BUTTONS }).count()).toBe(0);
        await screenshot(page, `agent-connection-${status}-es`);
      }

      // Agents reply to customers.
      await page.goto(`${server.url}/dashboard/#/conversations/${chat.conversationId}/show`);
      await page.getByRole('textbox', { name: 'Escriba una respuesta' }).waitFor();

      // An address typed by hand shows no records the role may not read.
      await expectNoUsersShown(page, server.url);

      expect(problems.filter((problem) => !isExpectedForbidden(problem))).toEqual([]);
    }));
});

async function expectNoUsersShown(page: Page, baseUrl: string): Promise<void> {
  const responses: number[] = [];
  page.on('response', (response) => {
    if (new URL(response.url()).pathname === '/api/users') responses.push(response.status());
  });
  await page.goto(`${baseUrl}/dashboard/#/users`);
  await page.getByRole('menuitem', { name: 'Conversaciones' }).waitFor();
  await page.waitForLoadState('networkidle');
  expect(await page.getByText(ADMIN_EMAIL).count()).toBe(0);
  expect(responses.every((status) => status === 403)).toBe(true);
  await screenshot(page, 'agent-users-address-es');
}

/** Returns whether a page problem is the console error Chromium logs for a 403 from the API. */
function isExpectedForbidden(problem: string): boolean {
  return /status of 403/.test(problem);
}
