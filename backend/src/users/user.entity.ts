import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

export type UserRole = 'superadmin' | 'admin' | 'agent';

@Entity({ tableName: 'users' })
export class User {
  [OptionalProps]?: 'active' | 'tokenVersion' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Property({ type: 'text' })
  email!: string;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'text', hidden: true })
  passwordHash!: string;

  @Property({ type: 'text' })
  role!: UserRole;

  @Property({ type: 'boolean' })
  active: boolean = true;

  /** Copied into each access token as `ver`; raising it invalidates every access token issued before. */
  @Property({ type: 'integer' })
  tokenVersion: number = 0;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
