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
  [OptionalProps]?: 'status' | 'phoneNumber' | 'pushName' | 'linkedMode' | 'autoConnect' | 'isDefault' | 'lastError' | 'qr' | 'qrDataUrl' | 'qrExpiresAt' | 'reconnectAttempts' | 'nextAttemptAt' | 'reachOutLockedUntil' | 'degraded' | 'pairingCode' | 'deviceJid' | 'createdAt' | 'updatedAt' | 'deletedAt';

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

  /** The QR waiting for a scan, kept here so every app process can answer GET /qr; cleared otherwise. */
  @Property({ type: 'text', nullable: true, hidden: true })
  qr: string | null = null;

  @Property({ type: 'text', nullable: true, hidden: true })
  qrDataUrl: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  qrExpiresAt: Date | null = null;

  @Property({ type: 'integer' })
  reconnectAttempts: number = 0;

  @Property({ type: 'timestamptz', nullable: true })
  nextAttemptAt: Date | null = null;

  /** Set when WhatsApp restricted reaching out to new contacts (error 463) until this time. */
  @Property({ type: 'timestamptz', nullable: true })
  reachOutLockedUntil: Date | null = null;

  /** The pairing code shown while a phone is being linked by number; cleared once linked. */
  @Property({ type: 'text', nullable: true, hidden: true })
  pairingCode: string | null = null;

  /** This linked device's own JID, such as 573001234567:3@s.whatsapp.net. */
  @Property({ type: 'text', nullable: true })
  deviceJid: string | null = null;

  /** Connected but the initial sync never finished; the watchdog restarts the socket once. */
  @Property({ type: 'boolean' })
  degraded: boolean = false;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  deletedAt: Date | null = null;
}
