import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

export type MessageDirection = 'in' | 'out';
/** How a message reached us: live, replayed after the device was away (`backlog`), or in a history sync. */
export type MessageSource = 'live' | 'backlog' | 'history';

/** Outbound statuses in the order they normally happen; `failed` is outside that order. */
export const OUTBOUND_STATUS_ORDER = ['queued', 'pending', 'sent', 'delivered', 'read', 'played'] as const;
export type MessageStatus = (typeof OUTBOUND_STATUS_ORDER)[number] | 'failed' | 'received';

export interface MessageError {
  code: string;
  message: string;
}

@Entity({ tableName: 'messages' })
export class Message {
  [OptionalProps]?: 'waMessageId' | 'type' | 'content' | 'error' | 'senderName' | 'timestamp' | 'payload' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Property({ type: 'uuid' })
  sessionId!: string;

  @Property({ type: 'uuid' })
  conversationId!: string;

  @Property({ type: 'text' })
  chatJid!: string;

  @Property({ type: 'text', nullable: true })
  waMessageId: string | null = null;

  @Property({ type: 'text' })
  direction!: MessageDirection;

  @Property({ type: 'text' })
  type: string = 'text';

  @Property({ type: 'text', nullable: true })
  content: string | null = null;

  @Property({ type: 'text' })
  status!: MessageStatus;

  @Property({ type: 'jsonb', nullable: true })
  error: MessageError | null = null;

  @Property({ type: 'text', nullable: true })
  senderName: string | null = null;

  @Property({ type: 'timestamptz' })
  timestamp: Date = new Date();

  /** The WhatsApp message proto as JSON, kept so Baileys can resend it when a recipient requests a retry. */
  @Property({ type: 'jsonb', nullable: true, lazy: true })
  payload: unknown = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
