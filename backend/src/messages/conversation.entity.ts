import { Entity, OptionalProps, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Contact } from './contact.entity';

@Entity({ tableName: 'conversations' })
export class Conversation {
  [OptionalProps]?: 'contact' | 'groupJid' | 'groupName' | 'lastMessageAt' | 'lastMessagePreview' | 'unreadCount' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Property({ type: 'uuid' })
  sessionId!: string;

  /** The customer of a one-to-one chat; null for a group conversation. */
  @ManyToOne(() => Contact, { fieldName: 'contact_id', nullable: true })
  contact: Contact | null = null;

  @Property({ type: 'text', nullable: true })
  groupJid: string | null = null;

  @Property({ type: 'text', nullable: true })
  groupName: string | null = null;

  @Property({ type: 'text' })
  chatJid!: string;

  @Property({ type: 'timestamptz', nullable: true })
  lastMessageAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  lastMessagePreview: string | null = null;

  @Property({ type: 'integer' })
  unreadCount: number = 0;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
