import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/** One recorded administrative action. `details` never contains passwords, tokens or keys. */
@Entity({ tableName: 'audit_events' })
export class AuditEvent {
  [OptionalProps]?: 'actorUserId' | 'actorApiKeyId' | 'targetId' | 'details' | 'ip' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId!: string;

  /** Null for both actors when Charla itself acted, for example when a phone finished linking. */
  @Property({ type: 'uuid', nullable: true })
  actorUserId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  actorApiKeyId: string | null = null;

  @Property({ type: 'text' })
  action!: string;

  @Property({ type: 'text' })
  targetType!: string;

  @Property({ type: 'text', nullable: true })
  targetId: string | null = null;

  @Property({ type: 'json' })
  details: Record<string, unknown> = {};

  @Property({ type: 'text', nullable: true })
  ip: string | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
