import request from 'supertest';
import type { RunningServer } from '../../src/bootstrap';
import { createTestEnvironment, eventually, login, startTestServer, TestEnvironment } from '../setup/test-app';
import { withClient } from '../setup/test-database';

/**
 * PostgreSQL ending the app's connections (a restart, a failover, or Ctrl-C reaching an embedded
 * server in the same process group) must not crash the app: it logs, and it serves requests again
 * once the database answers.
 */
describe('Database connections ended by the server', () => {
  let environment: TestEnvironment;
  let server: RunningServer;

  beforeAll(async () => {
    environment = await createTestEnvironment({ WHATSAPP_MODE: 'live' });
    server = await startTestServer(environment);
  });

  afterAll(async () => {
    await server?.close();
    await environment?.cleanup();
  });

  it('keeps running and serving after every connection is terminated', async () => {
    const token = await login(server);
    const database = new URL(environment.database.url).pathname.slice(1);

    const { rows } = await withClient(environment.database.url, (client) =>
      client.query('select count(pg_terminate_backend(pid))::int as ended from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [database]),
    );
    expect(rows[0].ended).toBeGreaterThan(0);

    await eventually(async () => {
      const response = await request(server.url).get('/api/sessions').set({ Authorization: `Bearer ${token}` });
      return response.status === 200 ? true : undefined;
    });
    expect(environment.logs.lines.some((line) => line.includes('terminating connection due to administrator command'))).toBe(true);
    await eventually(async () => (environment.logs.lines.some((line) => line.includes('Listening for session commands again')) ? true : undefined));
  });

  it('still shuts down promptly afterwards', async () => {
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(15_000);
    server = undefined as never;
  });
});
