import type { EventSubscriber, Filter, FlushEventArgs } from '@mikro-orm/core';
import { requireScope, TenantScopeError } from '../common/tenant-context';

type FilterDef = Parameters<typeof Filter>[0];

/** Entities whose rows belong to one tenant through their `tenantId` column. */
export const TENANT_OWNED_ENTITIES = ['User', 'RefreshToken', 'ApiKey', 'AuditEvent', 'WhatsAppSession', 'Contact', 'Conversation', 'Message'] as const;

/** The tenant row itself: a tenant scope reads its own row and no other. */
const TENANT_ENTITY = 'Tenant';

const SCOPED = new Set<string>([...TENANT_OWNED_ENTITIES, TENANT_ENTITY]);

function entityNameOf(entityName: unknown): string {
  if (typeof entityName === 'string') return entityName;
  if (typeof entityName === 'function') return entityName.name;
  return String(entityName);
}

/**
 * A filter on every find, count, native update and native delete of a scoped entity: a tenant scope
 * adds `tenant_id = <tenant>`, the platform scope adds nothing, and no scope throws. It is on by
 * default and no code turns it off; work that spans tenants enters the platform scope instead.
 */
export const TENANT_FILTER: FilterDef = {
  name: 'tenant',
  default: true,
  args: false,
  entity: [...SCOPED],
  cond: (_args, type, _em, _options, entityName) => {
    const name = entityNameOf(entityName);
    const scope = requireScope(`A ${type} of ${name}`);
    if (scope.kind === 'platform') return {};
    return name === TENANT_ENTITY ? { id: scope.tenantId } : { tenantId: scope.tenantId };
  },
};

/**
 * Checks every insert, update and delete at flush: a tenant scope may write its own rows only, and no
 * scope may write none. Reads are covered by the filter, so an entity loaded here was already in scope;
 * this catches a new entity created with another tenant's id.
 */
export class TenantWriteGuard implements EventSubscriber {
  onFlush({ uow }: FlushEventArgs): void {
    for (const changeSet of uow.getChangeSets()) {
      const name = changeSet.meta.className;
      if (!SCOPED.has(name)) continue;

      const scope = requireScope(`A ${changeSet.type} of ${name}`);
      if (scope.kind === 'platform') continue;

      const entity = changeSet.entity as { id?: string; tenantId?: string };
      const owner = name === TENANT_ENTITY ? entity.id : entity.tenantId;
      if (owner !== scope.tenantId) {
        throw new TenantScopeError(`A ${changeSet.type} of ${name} ${entity.id ?? ''} for tenant ${owner} was rejected while serving tenant ${scope.tenantId}.`);
      }
    }
  }
}
