import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Whose data the code running now may touch. Every database read and write of a tenant-owned entity
 * consults it (see `database/tenant-scope.ts`), so a query issued with no scope fails instead of
 * reaching every tenant's rows.
 *
 * - `tenant`: one tenant's rows only. HTTP requests get it from the authenticated user or API key;
 *   Baileys events, timers and queue workers get it from the session or job they handle.
 * - `platform`: every tenant's rows, for the few jobs that span tenants by design (claiming queued
 *   work, restoring sessions at boot, logging in before the tenant is known, the superadmin's tenant
 *   routes). Each entry point names its reason, and `tenant-scope.spec.ts` keeps the list reviewed.
 */
export type TenantScope = { kind: 'tenant'; tenantId: string } | { kind: 'platform'; reason: string };

/** A request opens an empty holder before authentication; the auth guard fills it in. */
interface ScopeHolder {
  scope?: TenantScope;
}

const storage = new AsyncLocalStorage<ScopeHolder>();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Thrown when tenant-owned data is reached with no scope, or with another tenant's scope. */
export class TenantScopeError extends Error {
  readonly code = 'TENANT_SCOPE_VIOLATION';

  constructor(message: string) {
    // The fixed prefix finds these errors in logs that keep only the message.
    super(`Tenant scope violation: ${message}`);
    this.name = 'TenantScopeError';
  }
}

/** Runs `work` with access to `tenantId`'s rows only. A tenant scope cannot switch to another tenant. */
export function runInTenant<T>(tenantId: string, work: () => T): T {
  if (typeof tenantId !== 'string' || !UUID.test(tenantId)) {
    throw new TenantScopeError(`Cannot enter a tenant scope for "${String(tenantId).slice(0, 64)}": a tenant id is a UUID.`);
  }

  const current = storage.getStore()?.scope;
  if (current?.kind === 'tenant' && current.tenantId !== tenantId) {
    throw new TenantScopeError(`Code running for tenant ${current.tenantId} tried to enter tenant ${tenantId}'s scope.`);
  }

  return storage.run({ scope: { kind: 'tenant', tenantId } }, work);
}

/** Runs `work` across every tenant. Keep it to claiming work, lookups before the tenant is known and platform routes. */
export function runAsPlatform<T>(reason: string, work: () => T): T {
  return storage.run({ scope: { kind: 'platform', reason } }, work);
}

/**
 * Runs `work` with no scope at all. For callbacks of shared connections: a socket's events run in the
 * scope the socket was opened in, which for a pooled connection is whichever tenant opened it.
 */
export function runWithoutScope<T>(work: () => T): T {
  return storage.exit(work);
}

/** Opens an empty scope for one HTTP request or socket event; `bindTenant` fills it in after authentication. */
export function runUnscoped<T>(work: () => T): T {
  return storage.run({}, work);
}

/** Sets the tenant of the request opened by `runUnscoped`. */
export function bindTenant(tenantId: string): void {
  const holder = storage.getStore();
  if (!holder) throw new TenantScopeError('bindTenant was called outside a request scope; open one with runUnscoped.');

  if (holder.scope && (holder.scope.kind !== 'tenant' || holder.scope.tenantId !== tenantId)) {
    throw new TenantScopeError(`This request is already bound to ${describe(holder.scope)}; it cannot be bound to tenant ${tenantId}.`);
  }
  holder.scope = { kind: 'tenant', tenantId };
}

export function currentScope(): TenantScope | undefined {
  return storage.getStore()?.scope;
}

/** Returns the scope the code runs in, and throws when there is none, so unscoped data access fails closed. */
export function requireScope(access: string): TenantScope {
  const scope = currentScope();
  if (!scope) {
    throw new TenantScopeError(`${access} was reached with no tenant scope. Run it inside runInTenant(tenantId, ...) or, for work that spans tenants, runAsPlatform(reason, ...).`);
  }
  return scope;
}

/**
 * Checks that a raw statement's explicit `tenantId` is one the current scope may touch, and returns it
 * for the statement's parameters.
 */
export function tenantParam(tenantId: string, access: string): string {
  const scope = requireScope(access);
  if (scope.kind === 'tenant' && scope.tenantId !== tenantId) {
    throw new TenantScopeError(`${access} for tenant ${tenantId} was issued while serving tenant ${scope.tenantId}.`);
  }
  return tenantId;
}

/**
 * Returns the tenant of the current scope, for the `tenant_id = ?` of a raw statement that has no tenant
 * id at hand. It throws in the platform scope too, because a statement there names its tenant with `tenantParam`.
 */
export function scopeTenantId(access: string): string {
  const scope = requireScope(access);
  if (scope.kind !== 'tenant') {
    throw new TenantScopeError(`${access} needs one tenant's scope but ran in ${describe(scope)}; pass the tenant id with tenantParam.`);
  }
  return scope.tenantId;
}

function describe(scope: TenantScope): string {
  return scope.kind === 'tenant' ? `tenant ${scope.tenantId}` : `the platform scope (${scope.reason})`;
}
