import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import request from 'supertest';
import type { RunningServer } from '../../src/bootstrap';
import { linkNewSession, waitForInbox } from '../setup/flows';
import { startTestSimulator, TestSimulator } from '../setup/simulator';
import { createTestEnvironment, FeedClient, startTestServer, TestEnvironment } from '../setup/test-app';

export const REPO_ROOT = resolve(__dirname, '../../..');
export const PANEL_INDEX = join(REPO_ROOT, 'admin/dist/index.html');
export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-artifacts/screenshots');
export const DOCS_IMAGES_DIR = join(REPO_ROOT, 'docs/images');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** How long a browser step waits for the panel before the test fails. */
export const UI_TIMEOUT_MS = 15_000;

/**
 * Returns `describe` when Chromium is installed and `describe.skip` otherwise, after printing one line
 * that explains why the browser tests did not run.
 */
export function describeWithChromium(): jest.Describe {
  if (existsSync(CHROMIUM_PATH)) return describe;
  process.stdout.write(`Chromium not found at ${CHROMIUM_PATH}: browser tests skipped (install it with apt-get install chromium)\n`);
  return describe.skip;
}

/** Throws when the panel has not been built, because the backend would serve nothing at /dashboard. */
export function assertPanelBuilt(): void {
  if (!existsSync(PANEL_INDEX)) {
    throw new Error(`The admin panel is not built (${PANEL_INDEX} is missing): run \`npm run build -w admin\` from the repository root first.`);
  }
}

/**
 * Launches headless Debian Chromium. Playwright gives each launch a fresh temporary profile
 * (`--user-data-dir`), and the flags keep Chromium from calling Google's services, which this
 * machine cannot reach.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 30_000,
  });
}

/**
 * Opens a browser context with a desktop viewport and collects the page errors, console errors and
 * failed API calls of its pages, so a test can assert that the panel ran cleanly.
 */
export async function newPanelContext(browser: Browser, locale = 'es-CO'): Promise<{ context: BrowserContext; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale, timezoneId: 'America/Bogota' });
  context.setDefaultTimeout(UI_TIMEOUT_MS);
  const problems: string[] = [];
  context.on('page', (page) => watchPage(page, problems));
  return { context, problems };
}

function watchPage(page: Page, problems: string[]): void {
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text().slice(0, 300)}`);
  });
  page.on('response', (response) => {
    if (response.url().includes('/api/') && response.status() >= 500) {
      problems.push(`${response.request().method()} ${response.url()} returned ${response.status()}`);
    }
  });
}

/** Fills the login form and waits until the panel has stored the token and left the login page. */
export async function logInThroughForm(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/dashboard/`);
  const signIn = page.getByRole('button', { name: /^(Iniciar sesión|Sign in)$/ });
  await signIn.waitFor();
  await page.getByLabel(/Correo electrónico|Email/).first().fill(email);
  await page.getByLabel(/Contraseña|Password/).first().fill(password);
  await signIn.click();
  await page.waitForFunction(() => !!(globalThis as any).localStorage.getItem('charla.auth.token'));
  await signIn.waitFor({ state: 'detached' });
}

/** Picks `target` in the app bar's language menu, whose button shows the `current` language's name. */
export async function switchLanguage(page: Page, current: 'Español' | 'English', target: 'Español' | 'English'): Promise<void> {
  await page.getByRole('button', { name: current, exact: true }).click();
  await page.getByRole('menuitem', { name: target, exact: true }).click();
  await page.getByRole('button', { name: target, exact: true }).waitFor();
}

/** Sets a flag on the page's window, which a reload would remove. */
export async function markPageLoad(page: Page): Promise<void> {
  await page.evaluate(() => ((globalThis as any).__charlaSamePageLoad = true));
}

/** Returns whether the page still shows the load that `markPageLoad` flagged. */
export async function isSamePageLoad(page: Page): Promise<boolean> {
  return page.evaluate(() => (globalThis as any).__charlaSamePageLoad === true);
}

/** Saves a full-page screenshot under test-artifacts/screenshots and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}

/** Copies a screenshot into docs/images, where the README links to it. */
export function publishScreenshot(path: string, name: string): void {
  mkdirSync(DOCS_IMAGES_DIR, { recursive: true });
  copyFileSync(path, join(DOCS_IMAGES_DIR, name));
}

/** Creates a user of the admin's tenant through the API and returns its id. */
export async function createUser(server: RunningServer, adminToken: string, user: { email: string; name: string; password: string; role: 'admin' | 'agent' }): Promise<string> {
  const response = await request(server.url).post('/api/users').set({ Authorization: `Bearer ${adminToken}` }).send(user).expect(201);
  return response.body.id as string;
}

/**
 * Runs a browser scenario. When it fails, saves a screenshot of every open page as
 * `failure-<name>-<n>.png` and adds the collected page problems to the error.
 */
export async function runScenario(name: string, context: BrowserContext, problems: string[], scenario: () => Promise<void>): Promise<void> {
  try {
    await scenario();
  } catch (error) {
    const saved: string[] = [];
    for (const [index, page] of context.pages().entries()) {
      saved.push(await screenshot(page, `failure-${name}-${index + 1}`).catch((reason: Error) => `(no screenshot: ${reason.message})`));
    }
    const detail = [`Screenshots: ${saved.join(', ')}`, ...(problems.length ? ['Page problems:', ...problems] : [])].join('\n');
    if (error instanceof Error) {
      // Jest prints the stack, which already contains the original message.
      error.message = `${error.message}\n${detail}`;
      error.stack = `${detail}\n${error.stack ?? ''}`;
    }
    throw error;
  }
}

export interface SandboxBackend {
  simulator: TestSimulator;
  environment: TestEnvironment;
  server: RunningServer;
  stop(): Promise<void>;
}

/**
 * Starts the WhatsApp simulator and the real app in sandbox mode, in this process, with outbox gaps
 * short enough that a reply leaves within a fraction of a second.
 */
export async function startSandboxBackend(overrides: NodeJS.ProcessEnv = {}): Promise<SandboxBackend> {
  const simulator = await startTestSimulator();
  const environment = await createTestEnvironment({
    SIMULATOR_URL: simulator.simulator.controlUrl,
    OUTBOX_SESSION_GAP_MS: '50',
    OUTBOX_CHAT_GAP_MS: '50',
    OUTBOX_JITTER_MS: '0',
    LOG_LEVEL: 'info',
    // A shop's own names, as its owner would type them; they appear in the app bar of every screen.
    ADMIN_NAME: 'Dueña',
    ADMIN_TENANT_NAME: 'Panadería Sol',
    ...overrides,
  });
  const server = await startTestServer(environment);
  return {
    simulator,
    environment,
    server,
    stop: async () => {
      await server.close();
      await simulator.stop();
      await environment.cleanup();
    },
  };
}

export interface SeededChat {
  sessionId: string;
  conversationId: string;
  contactId: string;
}

/**
 * Links a connection through the API and lets a virtual customer write to it. With `reply`, the
 * business replies and this resolves once the customer's phone has received the reply.
 */
export async function seedChat(
  server: RunningServer,
  token: string,
  chat: { business: string; customer: string; customerName: string; content: string; sessionName: string; reply?: string },
): Promise<SeededChat> {
  const feed = new FeedClient(server.url, token);
  try {
    await feed.connected();
    const sessionId = await linkNewSession(server, token, feed, chat.business, chat.sessionName);
    await request(server.url)
      .post('/api/sandbox/messages')
      .set({ Authorization: `Bearer ${token}` })
      .send({ from: chat.customer, to: chat.business, content: chat.content, pushName: chat.customerName })
      .expect(201);
    const created = await feed.waitFor('message.created', (payload) => payload.message.content === chat.content);
    const conversation = await request(server.url).get(`/api/conversations/${created.conversationId}`).set({ Authorization: `Bearer ${token}` }).expect(200);
    if (chat.reply) {
      await request(server.url).post(`/api/conversations/${created.conversationId}/messages`).set({ Authorization: `Bearer ${token}` }).send({ content: chat.reply }).expect(201);
      await waitForInbox(server, token, chat.customer, (entries) => entries.some((entry) => entry.content === chat.reply && entry.status === 'delivered'));
    }
    return { sessionId, conversationId: created.conversationId, contactId: conversation.body.contact.id };
  } finally {
    feed.close();
  }
}
