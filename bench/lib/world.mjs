// The shared setup of the traffic scenarios: one app with T tenants, one linked session each, and
// the same number of bare Baileys sockets linked to other numbers. Contacts are fixed per account,
// so Signal sessions are set up once (in the warm-up) and every later round measures steady traffic.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as rig from './rig.mjs';

export const appPhone = (i) => `+57300${String(1_000_000 + i).padStart(7, '0')}`;
export const barePhone = (i) => `+57300${String(2_000_000 + i).padStart(7, '0')}`;
export const contactPhone = (account, j) => `+57310${String(account * 100 + j).padStart(7, '0')}`;

export async function createWorld({ databaseServer, simulator, tenants, contactsPerAccount, appExtraEnv = {} }) {
  const database = await rig.createDatabase(databaseServer.adminUrl, 'world');
  const dataDir = mkdtempSync(join(tmpdir(), 'charla-bench-world-'));
  const app = new rig.AppProcess(rig.appEnv({ databaseUrl: database.url, dataDir, simulator, extra: appExtraEnv }), { inspect: true });
  await app.start();
  const superadmin = await rig.ApiClient.login(app.url);

  const tenantClients = [];
  for (let i = 0; i < tenants; i++) {
    const email = `tenant${i}@charla.test`;
    if (i === 0) {
      tenantClients.push(superadmin);
      continue;
    }
    await superadmin.request('POST', '/tenants', { name: `Bench ${i}`, adminEmail: email, adminPassword: rig.ADMIN_PASSWORD });
    tenantClients.push(await rig.ApiClient.login(app.url, email, rig.ADMIN_PASSWORD));
  }
  const sessionIds = await rig.mapLimit(tenantClients, 5, (api, i) => rig.linkSession(api, simulator, appPhone(i)));

  const bare = await rig.startBareProcess(simulator);
  await bare.link(
    tenantClients.map((_api, i) => join(dataDir, 'bare', String(i))),
    tenantClients.map((_api, i) => barePhone(i)),
  );

  return {
    database,
    dataDir,
    app,
    bare,
    tenants: tenantClients,
    sessionIds,
    contactsPerAccount,
    async close() {
      await bare.close();
      await app.stop();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Sends `count` texts from the fixed contacts, round-robin over the accounts, with `concurrency`
 * requests in flight; `content(i)` gives each text. Returns when the simulator accepted all of them.
 */
export async function sendTexts(simulator, { count, accounts, phoneOf, contactsPerAccount, concurrency = 16, content, onSend }) {
  const items = Array.from({ length: count }, (_, i) => i);
  await rig.mapLimit(items, concurrency, async (i) => {
    const account = i % accounts;
    const contact = contactPhone(account, Math.floor(i / accounts) % contactsPerAccount);
    onSend?.(i, performance.now());
    await simulator.control('POST', '/control/messages', { from: contact, to: phoneOf(account), content: content(i), pushName: 'Cliente' });
  });
}
