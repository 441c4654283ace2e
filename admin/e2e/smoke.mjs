// Walks through the built panel against e2e/mock-api.mjs in headless Chromium and saves screenshots.
//   node admin/e2e/mock-api.mjs 3999 &   node admin/e2e/smoke.mjs [baseUrl] [outDir]
// Not part of `npm test`: it needs a Chromium binary (CHROMIUM_PATH, default /usr/bin/chromium).
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://127.0.0.1:3999';
const out = process.argv[3] ?? '/tmp/charla-smoke';
mkdirSync(out, { recursive: true });

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
const problems = [];

async function login(page, email) {
    await page.goto(`${base}/dashboard/`);
    await page.getByLabel(/Correo electrónico|Email|Usuario|Username/).first().fill(email);
    await page.getByLabel(/Contraseña|Password/).first().fill('charla123');
    await page.getByRole('button', { name: /Iniciar sesión|Sign in/ }).click();
    await page.waitForFunction(() => !!localStorage.getItem('charla.auth.token'));
    await page.getByRole('button', { name: /Iniciar sesión|Sign in/ }).waitFor({ state: 'detached' });
}

async function api(path, body, token) {
    const response = await fetch(`${base}/api/${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
    });
    return response.json();
}

const step = async (name, fn) => {
    try {
        await fn();
        process.stdout.write(`ok   ${name}\n`);
    } catch (error) {
        problems.push(`${name}: ${error.message.split('\n')[0]}`);
        process.stdout.write(`FAIL ${name}: ${error.message.split('\n')[0]}\n`);
    }
};

const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'es-CO' });
const page = await context.newPage();
page.on('console', message => {
    // The wrong-password step gets a 401 response on purpose.
    if (message.type() === 'error' && !message.text().includes('401')) problems.push(`console: ${message.text().slice(0, 200)}`);
});
page.on('pageerror', error => problems.push(`pageerror: ${error.message}`));

await step('login page in Spanish', async () => {
    await page.goto(`${base}/dashboard/`);
    await page.getByRole('button', { name: 'Iniciar sesión' }).waitFor();
    await page.screenshot({ path: `${out}/01-login.png` });
});

await step('wrong password is explained', async () => {
    await page.getByLabel(/Usuario|Correo/).first().fill('admin@charla.test');
    await page.getByLabel('Contraseña').first().fill('nope');
    await page.getByRole('button', { name: 'Iniciar sesión' }).click();
    await page.getByText('Correo o contraseña incorrectos.').waitFor({ timeout: 5000 });
});

await step('admin dashboard', async () => {
    await login(page, 'admin@charla.test');
    await page.getByText('Mensajes de hoy').waitFor();
    await page.screenshot({ path: `${out}/02-dashboard.png` });
});

await step('connections list', async () => {
    await page.goto(`${base}/dashboard/#/sessions`);
    await page.getByText('Soporte', { exact: true }).waitFor();
    await page.screenshot({ path: `${out}/03-sessions.png` });
});

await step('logged-out connection: explanation, connect again, live QR, link by sandbox scan', async () => {
    await page.goto(`${base}/dashboard/#/sessions/s2/show`);
    await page.getByText('El teléfono quitó este dispositivo').waitFor();
    await page.screenshot({ path: `${out}/04-session-logged-out.png` });
    await page.getByRole('button', { name: 'Conectar de nuevo' }).click();
    await page.getByTestId('qr-image').waitFor({ timeout: 5000 });
    await page.screenshot({ path: `${out}/05-session-qr.png` });
    const token = await page.evaluate(() => localStorage.getItem('charla.auth.token'));
    const qr = await (await fetch(`${base}/api/sessions/s2/qr`, { headers: { Authorization: `Bearer ${token}` } })).json();
    await api('sandbox/scan', { qr: qr.qr, phoneNumber: '+573000000002', pushName: 'Soporte Luz' }, token);
    await page.getByText('Conectado como +573000000002').waitFor({ timeout: 5000 });
    await page.screenshot({ path: `${out}/06-session-connected.png` });
});

await step('conversation list, live move to top', async () => {
    await page.goto(`${base}/dashboard/#/conversations`);
    await page.getByText('José Pérez').waitFor();
    const token = await page.evaluate(() => localStorage.getItem('charla.auth.token'));
    await api('sandbox/messages', { from: '+573004445566', to: '+573000000001', content: 'Otra pregunta: ¿abren el domingo?' }, token);
    await page.getByText('Otra pregunta: ¿abren el domingo?').waitFor({ timeout: 5000 });
    const first = await page.locator('tbody tr').first().innerText();
    if (!first.includes('José')) throw new Error(`first row is ${first}`);
    await page.screenshot({ path: `${out}/07-conversations.png` });
});

await step('thread, reply with Enter, ticks turn blue', async () => {
    await page.goto(`${base}/dashboard/#/conversations/v1/show`);
    await page.getByText('¿Tienen pan integral hoy?').first().waitFor();
    const box = page.getByRole('textbox', { name: 'Escriba una respuesta' });
    await box.fill('Sí, hasta las 6 pm');
    await box.press('Enter');
    await page.locator('[data-testid="message-bubble"][data-status="read"]', { hasText: 'Sí, hasta las 6 pm' }).waitFor({ timeout: 6000 });
    await page.screenshot({ path: `${out}/08-thread.png` });
});

await step('settings and sandbox pages', async () => {
    await page.goto(`${base}/dashboard/#/settings`);
    await page.getByLabel('Zona horaria').waitFor();
    await page.screenshot({ path: `${out}/09-settings.png` });
    await page.goto(`${base}/dashboard/#/sandbox`);
    await page.getByText('Teléfono virtual del negocio').waitFor();
    await page.screenshot({ path: `${out}/10-sandbox.png` });
});

await step('English by the language switch', async () => {
    await page.goto(`${base}/dashboard/#/sessions`);
    await page.getByRole('button', { name: /Español|language/i }).first().click();
    await page.getByRole('menuitem', { name: 'English' }).click();
    await page.getByText('WhatsApp connections').first().waitFor();
    await page.reload();
    await page.getByText('WhatsApp connections').first().waitFor();
    await page.screenshot({ path: `${out}/11-english.png` });
});

await context.close();

const phone = await browser.newContext({ viewport: { width: 390, height: 800 }, isMobile: true, hasTouch: true });
const mobile = await phone.newPage();
await step('phone-sized conversation list and thread as an agent', async () => {
    await login(mobile, 'agent@charla.test');
    await mobile.goto(`${base}/dashboard/#/conversations`);
    await mobile.getByText('María Gómez').first().waitFor();
    await mobile.screenshot({ path: `${out}/12-mobile-list.png` });
    await mobile.goto(`${base}/dashboard/#/conversations/v2/show`);
    await mobile.getByRole('textbox', { name: /Escriba una respuesta|Write a reply/ }).waitFor();
    await mobile.screenshot({ path: `${out}/13-mobile-thread.png` });
    await mobile.goto(`${base}/dashboard/#/sessions/s1/show`);
    await mobile.getByText(/Conectado como|Connected as/).waitFor();
    if (await mobile.getByRole('button', { name: /Desconectar|Disconnect/ }).count()) throw new Error('agent sees Disconnect');
    await mobile.screenshot({ path: `${out}/14-mobile-agent-session.png` });
});
await phone.close();
await browser.close();

process.stdout.write(problems.length ? `\nProblems:\n${problems.join('\n')}\n` : '\nNo problems.\n');
process.exit(problems.length ? 1 : 0);
