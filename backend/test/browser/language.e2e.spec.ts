import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { RunningServer } from '../../src/bootstrap';
import { ADMIN_EMAIL, ADMIN_PASSWORD, login } from '../setup/test-app';
import {
  assertPanelBuilt,
  describeWithChromium,
  launchChromium,
  logInThroughForm,
  newPanelContext,
  REPO_ROOT,
  runScenario,
  SandboxBackend,
  screenshot,
  SeededChat,
  seedChat,
  startSandboxBackend,
  switchLanguage,
} from './browser';

type Locale = 'es' | 'en';

/**
 * Words from the panel's catalogues that must not show up in the other language, in any letter
 * case. Each appears in its own catalogue (checked below) and the test data never contains them.
 */
const FOREIGN_WORDS: Record<Locale, string[]> = {
  // English words on a Spanish screen.
  es: ['WhatsApp connections', 'Conversations', 'Save', 'Contacts', 'Users', 'Settings', 'Search', 'Connected', 'Disconnect', 'Rows per page', 'Delete', 'Create', 'Status', 'Phone number', 'Messages today', 'Write a reply', 'Loading', 'Customer', 'Time zone', 'Virtual customer', 'Dashboard', 'Businesses', 'Back', 'Delivered'],
  // Spanish words on an English screen.
  en: ['Conexiones', 'Conversaciones', 'Guardar', 'Contactos', 'Usuarios', 'Ajustes', 'Buscar', 'Conectado', 'Desconectar', 'Filas por página', 'Eliminar', 'Crear', 'Estado', 'Número de teléfono', 'Mensajes de hoy', 'Escriba una respuesta', 'Cargando', 'Cliente', 'Zona horaria', 'Zona de pruebas', 'Inicio', 'Negocios', 'Volver', 'Entregado'],
};

/** Times written the other language's way: "4:25 p. m." on an English screen, "4:25 PM" on a Spanish one. */
const FOREIGN_TIME_FORMAT: Record<Locale, RegExp> = {
  es: /\d:\d{2}(?::\d{2})?\s?[AP]M\b/,
  en: /\d:\d{2}(?::\d{2})?\s?[ap]\.\s?m\./,
};

const CATALOGUE_FILES: Record<Locale, string[]> = {
  es: ['admin/src/i18n/es.ts', 'admin/src/i18n/ra-es.ts'],
  en: ['admin/src/i18n/en.ts', 'node_modules/ra-language-english/src/index.ts'],
};

/** A catalogue key shown instead of its text, such as `charla.sessions.qr.title` or `ra.action.save`. */
const UNTRANSLATED_KEY = /\b(?:ra|resources|charla)\.[A-Za-z_]+(?:\.[A-Za-z0-9_]+)+/g;

interface Screen {
  name: string;
  path: (chat: SeededChat) => string;
  /** Text that shows once the screen has loaded its data, per language. */
  ready: Record<Locale, string>;
}

const SCREENS: Screen[] = [
  { name: 'dashboard', path: () => '/', ready: { es: 'Mensajes de hoy', en: 'Messages today' } },
  { name: 'connections', path: () => '/sessions', ready: { es: 'Tienda norte', en: 'Tienda norte' } },
  { name: 'connection-create', path: () => '/sessions/create', ready: { es: 'Cómo se conecta Charla a WhatsApp', en: 'How Charla connects to WhatsApp' } },
  { name: 'connection-show', path: (chat) => `/sessions/${chat.sessionId}/show`, ready: { es: 'Conectado como +573000000011', en: 'Connected as +573000000011' } },
  { name: 'conversations', path: () => '/conversations', ready: { es: 'Listo, queda anotado', en: 'Listo, queda anotado' } },
  { name: 'conversation-show', path: (chat) => `/conversations/${chat.conversationId}/show`, ready: { es: 'Enter envía', en: 'Enter sends' } },
  { name: 'contacts', path: () => '/contacts', ready: { es: 'Marta', en: 'Marta' } },
  { name: 'contact-show', path: (chat) => `/contacts/${chat.contactId}/show`, ready: { es: 'Listo, queda anotado', en: 'Listo, queda anotado' } },
  { name: 'users', path: () => '/users', ready: { es: ADMIN_EMAIL, en: ADMIN_EMAIL } },
  { name: 'settings', path: () => '/settings', ready: { es: 'Zona horaria', en: 'Time zone' } },
  { name: 'sandbox', path: () => '/sandbox', ready: { es: 'Listo, queda anotado', en: 'Listo, queda anotado' } },
];

describeWithChromium()('Admin panel translations in Chromium', () => {
  let backend: SandboxBackend;
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let problems: string[];
  let chat: SeededChat;

  beforeAll(async () => {
    assertPanelBuilt();
    backend = await startSandboxBackend();
    server = backend.server;
    chat = await seedChat(server, await login(server), {
      business: '+573000000011',
      sessionName: 'Tienda norte',
      // The sandbox page's virtual customer, so that its inbox lists the reply and its status.
      customer: '+573009999999',
      customerName: 'Marta',
      content: 'Pedido para mañana',
      reply: 'Listo, queda anotado',
    });
    browser = await launchChromium();
    ({ context, problems } = await newPanelContext(browser));
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await backend?.stop();
  });

  it('lists only catalogue words', () => {
    for (const locale of ['es', 'en'] as const) {
      const catalogue = CATALOGUE_FILES[locale].map((file) => readFileSync(join(REPO_ROOT, file), 'utf8')).join('\n');
      expect(FOREIGN_WORDS[locale === 'es' ? 'en' : 'es'].filter((word) => !catalogue.toLowerCase().includes(word.toLowerCase()))).toEqual([]);
    }
  });

  it('translates every main screen', () =>
    runScenario('language', context, problems, async () => {
      const page = await context.newPage();
      const missingTranslations: string[] = [];
      page.on('console', (message) => {
        if (/Missing translation/i.test(message.text())) missingTranslations.push(message.text());
      });
      await logInThroughForm(page, server.url, ADMIN_EMAIL, ADMIN_PASSWORD);

      const findings: string[] = [];
      for (const locale of ['es', 'en'] as const) {
        if (locale === 'en') await switchLanguage(page, 'Español', 'English');
        for (const screen of SCREENS) {
          await page.goto(`${server.url}/dashboard/#${screen.path(chat)}`);
          await page.getByText(screen.ready[locale], { exact: false }).first().waitFor();
          await waitForLoadingToFinish(page);
          const text = await visibleText(page);
          for (const key of text.match(UNTRANSLATED_KEY) ?? []) findings.push(`${locale} ${screen.name}: untranslated key ${key}`);
          for (const word of FOREIGN_WORDS[locale]) {
            if (new RegExp(`(^|[^\\p{L}])${word}($|[^\\p{L}])`, 'iu').test(text)) findings.push(`${locale} ${screen.name}: "${word}"`);
          }
          const foreignTime = text.match(FOREIGN_TIME_FORMAT[locale]);
          if (foreignTime) findings.push(`${locale} ${screen.name}: time written as "${foreignTime[0]}"`);
          await screenshot(page, `lang-${locale}-${screen.name}`);
        }
      }
      await switchLanguage(page, 'English', 'Español');

      expect(findings).toEqual([]);
      expect(missingTranslations).toEqual([]);
      expect(problems).toEqual([]);
    }));
});

/** Waits until react-admin's progress bars, spinners and skeletons are gone. */
async function waitForLoadingToFinish(page: Page): Promise<void> {
  await page.waitForFunction(
    () => (globalThis as any).document.querySelectorAll('.MuiLinearProgress-root:not([style*="hidden"]), .MuiSkeleton-root, [role="progressbar"]:not(.MuiLinearProgress-root)').length === 0,
    undefined,
    { timeout: 10_000 },
  );
}

/** Collects the text a person reads or hears on the page: the rendered text plus labels, placeholders, titles and alt texts. */
function visibleText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const document = (globalThis as any).document;
    const attributes = ['aria-label', 'placeholder', 'title', 'alt'];
    const labels: string[] = [];
    for (const element of document.querySelectorAll(attributes.map((name) => `[${name}]`).join(','))) {
      for (const name of attributes) {
        const value = element.getAttribute(name);
        if (value) labels.push(value);
      }
    }
    return [document.body.innerText, ...labels, document.title].join('\n');
  });
}
