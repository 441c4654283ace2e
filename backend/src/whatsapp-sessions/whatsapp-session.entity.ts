import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import type { WhatsAppMode } from '../config/app-config';

export const SESSION_STATUSES = [
  'disconnected',
  'connecting',
  'qr',
  'connected',
  'reconnecting',
  'logged_out',
  'replaced',
  'qr_expired',
  'failed',
] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export interface SessionError {
  code: string;
  message: string;
  at: string;
}

@Entity({ tableName: 'whatsapp_sessions' })
export class WhatsAppSession {
  [OptionalProps]?: 'status' | 'phoneNumber' | 'pushName' | 'linkedMode' | 'autoConnect' | 'isDefault' | 'lastError' | 'createdAt' | 'updatedAt' | 'deletedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'text' })
  status: SessionStatus = 'disconnected';

  /** E.164 number of the linked account, such as +573001234567. */
  @Property({ type: 'text', nullable: true })
  phoneNumber: string | null = null;

  @Property({ type: 'text', nullable: true })
  pushName: string | null = null;

  /** The mode the credentials were created in; a session is never restored in the other mode. */
  @Property({ type: 'text', nullable: true })
  linkedMode: WhatsAppMode | null = null;

  /** True while the session should be reopened at boot (it was linked and not logged out). */
  @Property({ type: 'boolean' })
  autoConnect: boolean = false;

  @Property({ type: 'boolean' })
  isDefault: boolean = false;

  @Property({ type: 'jsonb', nullable: true })
  lastError: SessionError | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  deletedAt: Date | null = null;
}
