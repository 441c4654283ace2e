import { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import pino from 'pino';
import * as ts from 'typescript';
import { createTestDatabase, TestDatabase } from '../../test/setup/test-database';
import { bindTenant, currentScope, runAsPlatform, runInTenant, runUnscoped, TenantScopeError } from '../common/tenant-context';
import { Contact } from '../messages/contact.entity';
import { Conversation } from '../messages/conversation.entity';
import { RealtimeEvents } from '../realtime/realtime-events';
import { Tenant } from '../tenants/tenant.entity';
import { User } from '../users/user.entity';
import { WhatsAppSession } from '../whatsapp-sessions/whatsapp-session.entity';
import { mikroOrmOptions } from './mikro-orm.options';

describe('Tenant scope on every data access', () => {
  let database: TestDatabase;
  let orm: MikroORM;
  const tenantA = randomUUID();
  const tenantB = randomUUID();
  const sessionA = randomUUID();
  const sessionB = randomUUID();
  const contactB = randomUUID();

  beforeAll(async () => {
    database = await createTestDatabase();
    orm = await MikroORM.init(mikroOrmOptions(database.url, pino({ level: 'silent' })));
    await orm.getMigrator().up();

    await runAsPlatform('seed two tenants for the test', async () => {
      const em = orm.em.fork();
      em.create(Tenant, { id: tenantA, name: 'Panadería A' });
      em.create(Tenant, { id: tenantB, name: 'Ferretería B' });
      await em.flush();
      em.create(WhatsAppSession, { id: sessionA, tenantId: tenantA, name: 'A' });
      em.create(WhatsAppSession, { id: sessionB, tenantId: tenantB, name: 'B' });
      em.create(Contact, { id: contactB, tenantId: tenantB, jid: '573001112233@s.whatsapp.net', phoneNumber: '+573001112233', name: 'Cliente de B' });
      await em.flush();
    });
  });

  afterAll(async () => {
    await orm?.close();
    await database?.drop();
  });

  describe('with no scope', () => {
    it('refuses reads, counts, native updates and deletes of tenant-owned entities', async () => {
      const em = orm.em.fork();

      await expect(em.find(Contact, {})).rejects.toThrow(TenantScopeError);
      await expect(em.findOne(WhatsAppSession, { id: sessionB })).rejects.toThrow(TenantScopeError);
      await expect(em.count(User, {})).rejects.toThrow(TenantScopeError);
      await expect(em.find(Tenant, {})).rejects.toThrow(TenantScopeError);
      await expect(em.nativeUpdate(Contact, { id: contactB }, { name: 'Cambiado' })).rejects.toThrow(TenantScopeError);
      await expect(em.nativeDelete(Contact, { id: contactB })).rejects.toThrow(TenantScopeError);

      expect(await nameOfContactB()).toBe('Cliente de B');
    });

    it('refuses to write a tenant-owned entity and writes nothing', async () => {
      const em = orm.em.fork();
      const id = randomUUID();
      em.create(Contact, { id, tenantId: tenantA, jid: '573009998877@s.whatsapp.net', name: 'Sin alcance' });

      await expect(em.flush()).rejects.toThrow(TenantScopeError);
      expect(await countRows('contacts', id)).toBe(0);
    });

    it('also fails in a timer started outside any scope', async () => {
      const em = orm.em.fork();
      const outcome = await new Promise<unknown>((resolve) => {
        setTimeout(() => em.find(Conversation, {}).then(resolve, resolve), 1);
      });

      expect(outcome).toBeInstanceOf(TenantScopeError);
    });
  });

  describe("in tenant A's scope", () => {
    it("reads A's rows and none of B's", async () => {
      await runInTenant(tenantA, async () => {
        const em = orm.em.fork();

        expect((await em.find(WhatsAppSession, {})).map((session) => session.id)).toEqual([sessionA]);
        expect(await em.findOne(WhatsAppSession, { id: sessionB })).toBeNull();
        expect(await em.findOne(Contact, { id: contactB })).toBeNull();
        expect(await em.count(Contact, { tenantId: tenantB })).toBe(0);
        expect((await em.find(Tenant, {})).map((tenant) => tenant.id)).toEqual([tenantA]);
      });
    });

    it("changes none of B's rows through native updates and deletes", async () => {
      await runInTenant(tenantA, async () => {
        const em = orm.em.fork();

        expect(await em.nativeUpdate(Contact, { id: contactB }, { name: 'Cambiado por A' })).toBe(0);
        expect(await em.nativeDelete(Contact, { id: contactB })).toBe(0);
        expect(await em.nativeUpdate(Tenant, { id: tenantB }, { name: 'Cambiado por A' })).toBe(0);
      });

      expect(await nameOfContactB()).toBe('Cliente de B');
    });

    it('refuses to create a row for B and writes nothing', async () => {
      const id = randomUUID();
      await runInTenant(tenantA, async () => {
        const em = orm.em.fork();
        em.create(Contact, { id, tenantId: tenantB, jid: '573004445566@s.whatsapp.net', name: 'Colado' });

        await expect(em.flush()).rejects.toThrow(/for tenant .* was rejected while serving tenant/);
      });

      expect(await countRows('contacts', id)).toBe(0);
    });

    it('refuses to move one of its rows to B', async () => {
      await runInTenant(tenantA, async () => {
        const em = orm.em.fork();
        const session = await em.findOneOrFail(WhatsAppSession, { id: sessionA });
        session.tenantId = tenantB;

        await expect(em.flush()).rejects.toThrow(TenantScopeError);
      });

      expect(await tenantOfSession(sessionA)).toBe(tenantA);
    });

    it("cannot switch to B's scope", () => {
      expect(() => runInTenant(tenantA, () => runInTenant(tenantB, () => 'reached'))).toThrow(TenantScopeError);
    });

    it("cannot publish a live event to B's room", () => {
      const realtime = new RealtimeEvents();
      const received: string[] = [];
      realtime.stream.subscribe((envelope) => received.push(envelope.tenantId));

      expect(() => runInTenant(tenantA, () => realtime.publish(tenantB, 'history.synced', { sessionId: sessionB, conversations: 1, messages: 1 }))).toThrow(TenantScopeError);
      runInTenant(tenantA, () => realtime.publish(tenantA, 'history.synced', { sessionId: sessionA, conversations: 1, messages: 1 }));

      expect(received).toEqual([tenantA]);
    });

    it('passes the scope on to timers and promise chains started in it', async () => {
      const seen = await runInTenant(tenantA, () => new Promise<unknown>((resolve) => setTimeout(() => resolve(currentScope()), 1)));

      expect(seen).toEqual({ kind: 'tenant', tenantId: tenantA });
    });
  });

  describe('a request scope', () => {
    it('is empty until authentication binds it, and keeps its tenant', async () => {
      await runUnscoped(async () => {
        await expect(orm.em.fork().find(Contact, {})).rejects.toThrow(TenantScopeError);

        bindTenant(tenantB);
        const contacts = await orm.em.fork().find(Contact, {});

        expect(contacts.map((contact) => contact.id)).toEqual([contactB]);
        expect(() => bindTenant(tenantA)).toThrow(TenantScopeError);
      });
    });

    it('refuses a tenant id that is not a UUID', () => {
      expect(() => runInTenant('../../etc', () => undefined)).toThrow(TenantScopeError);
    });
  });

  it('the platform scope sees every tenant', async () => {
    const sessions = await runAsPlatform('count sessions in a test', () => orm.em.fork().count(WhatsAppSession, {}));

    expect(sessions).toBe(2);
  });

  async function nameOfContactB(): Promise<string> {
    const [row] = await raw<{ name: string }>('select name from contacts where id = ? and tenant_id = ?', [contactB, tenantB]);
    return row.name;
  }

  async function tenantOfSession(id: string): Promise<string> {
    const [row] = await raw<{ tenant_id: string }>('select tenant_id from whatsapp_sessions where id = ?', [id]);
    return row.tenant_id;
  }

  async function countRows(table: 'contacts', id: string): Promise<number> {
    const [row] = await raw<{ count: string }>(`select count(*) from ${table} where id = ?`, [id]);
    return Number(row.count);
  }

  async function raw<T>(query: string, bindings: unknown[]): Promise<T[]> {
    return ((await orm.em.getKnex().raw(query, bindings as never[])) as { rows: T[] }).rows;
  }
});

/**
 * Raw SQL bypasses the ORM's filter, so each statement has to name its tenant. This reads every
 * statement in the source and fails on one that touches a tenant's table without `tenant_id`, unless
 * it is listed below with the reason it spans tenants.
 */
describe('Raw SQL and platform scopes in the source', () => {
  const SOURCE = join(__dirname, '..');
  const TENANT_TABLES = [
    'users',
    'whatsapp_sessions',
    'contacts',
    'conversations',
    'messages',
    'refresh_tokens',
    'api_keys',
    'audit_events',
    'media_files',
    'whatsapp_ids',
    'products',
    'hook_settings',
    'hook_jobs',
    'llm_usage',
    'webhook_endpoints',
    'webhook_deliveries',
  ];
  const TOUCHES_TENANT_TABLE = new RegExp(`\\b(from|join|into|update)\\s+(${TENANT_TABLES.join('|')})\\b`, 'i');
  const TOUCHES_TENANTS = /\b(from|join|into|update)\s+tenants\b/i;

  /** Statements that span tenants by design: file, a fragment of the statement, and why. */
  const CROSS_TENANT_STATEMENTS: { file: string; fragment: string; reason: string }[] = [
    { file: 'ai-hooks/hook-worker.ts', fragment: 'select j.id from hook_jobs j', reason: 'claims due jobs of every tenant; each runs in its own scope' },
    { file: 'media/media.service.ts', fragment: 'from media_files where id = ?', reason: "public signed URL: the signature is checked against the row's tenant" },
    { file: 'whatsapp-sessions/connection-manager.service.ts', fragment: 'select s.id, s.tenant_id from whatsapp_sessions s', reason: 'restores sessions without an owner; each opens in its own scope' },
    { file: 'health/health.controller.ts', fragment: 'from whatsapp_sessions where deleted_at is null group by status', reason: 'public health check: counts per status, no tenant named' },
    { file: 'operations/backup.ts', fragment: 'select count(*) from tenants', reason: 'restore refuses a database that already has tenants' },
    { file: 'webhooks/webhook-dispatcher.ts', fragment: 'select id from webhook_deliveries', reason: 'claims due deliveries of every tenant; each is sent in its own scope' },
    { file: 'whatsapp-sessions/connection-manager.service.ts', fragment: "update whatsapp_sessions s set status = 'disconnected'", reason: 'at boot, resets sessions a stopped process left live' },
  ];

  /** Every entry into the platform scope, reviewed: file and reason. A new one fails here until added. */
  const PLATFORM_ENTRIES = [
    'ai-hooks/hook-worker.ts: claim due automatic-reply jobs of every tenant',
    'api-keys/api-keys.service.ts: resolve an API key',
    'auth/auth.service.ts: find the account of a login',
    'auth/refresh-tokens.service.ts: find a refresh token by its hash',
    'tenants/first-admin.seeder.ts: create the first tenant on an empty database',
    'tenants/tenants.service.ts: manage tenant rows as a superadmin',
    'webhooks/webhook-dispatcher.ts: claim due webhook deliveries of every tenant',
  ];

  const files = sourceFiles(SOURCE);

  it('finds the source to check', () => {
    expect(files.length).toBeGreaterThan(100);
  });

  it('names the tenant in every raw statement on a tenant table', () => {
    const unscoped: string[] = [];
    for (const file of files) {
      for (const statement of sqlStatements(file)) {
        // A condition on tenant_id, or an insert that writes it; a tenant_id in a select list is not enough.
        const namesTenant = /\btenant_id\s*=/.test(statement.text) || (/^`?\s*insert\b/i.test(statement.text) && /\btenant_id\b/.test(statement.text));
        const onTenantTable = TOUCHES_TENANT_TABLE.test(statement.text) && !namesTenant;
        // The tenants table has no tenant_id: its own id is the tenant.
        const onTenants = TOUCHES_TENANTS.test(statement.text) && !/\bwhere (\w+\.)?id = \?/.test(statement.text);
        if (!onTenantTable && !onTenants) continue;

        const allowed = CROSS_TENANT_STATEMENTS.some((entry) => entry.file === statement.file && squash(statement.text).includes(entry.fragment));
        if (!allowed) unscoped.push(`${statement.file}:${statement.line}: ${squash(statement.text).slice(0, 120)}`);
      }
    }

    expect(unscoped).toEqual([]);
  });

  it('keeps every listed cross-tenant statement in the source', () => {
    const all = files.flatMap((file) => sqlStatements(file));
    const missing = CROSS_TENANT_STATEMENTS.filter((entry) => !all.some((statement) => statement.file === entry.file && squash(statement.text).includes(entry.fragment)));

    expect(missing).toEqual([]);
  });

  it('enters the platform scope only where reviewed', () => {
    const entries = files.flatMap((file) => platformEntries(file)).sort();

    expect(entries).toEqual([...PLATFORM_ENTRIES].sort());
  });

  function sourceFiles(folder: string): string[] {
    return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) return entry.name === 'migrations' ? [] : sourceFiles(path);
      return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
    });
  }

  function parse(file: string): ts.SourceFile {
    return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  }

  function sqlStatements(file: string): { file: string; line: number; text: string }[] {
    const source = parse(file);
    const found: { file: string; line: number; text: string }[] = [];
    const visit = (node: ts.Node): void => {
      let text: string | undefined;
      if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) text = node.text;
      else if (ts.isTemplateExpression(node)) text = node.getText(source);

      if (text !== undefined && /\b(select|insert|update|delete)\b/i.test(text)) {
        found.push({ file: relative(SOURCE, file), line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1, text });
      }
      if (!ts.isTemplateExpression(node)) ts.forEachChild(node, visit);
    };
    visit(source);
    return found;
  }

  /** `runAsPlatform('reason', ...)` calls and `new RoundRunner('reason', ...)`, which runs its rounds in the platform scope. */
  function platformEntries(file: string): string[] {
    const source = parse(file);
    const found: string[] = [];
    const visit = (node: ts.Node): void => {
      const callee = ts.isCallExpression(node) || ts.isNewExpression(node) ? node.expression.getText(source) : undefined;
      // The round runner passes on the reason its users give, so its own call is not an entry.
      if ((callee === 'runAsPlatform' || callee === 'RoundRunner') && file !== join(SOURCE, 'common/round-runner.ts')) {
        const [reason] = (node as ts.CallExpression).arguments ?? [];
        found.push(`${relative(SOURCE, file)}: ${reason && ts.isStringLiteral(reason) ? reason.text : `<not a literal: ${reason?.getText(source)}>`}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    return found;
  }

  function squash(text: string): string {
    return text.replace(/\s+/g, ' ').trim();
  }
});
