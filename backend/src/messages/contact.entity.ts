import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

@Entity({ tableName: 'contacts' })
export class Contact {
  [OptionalProps]?: 'phoneNumber' | 'name' | 'lid' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId!: string;

  /** WhatsApp user JID without device, such as 573001234567@s.whatsapp.net. */
  @Property({ type: 'text' })
  jid!: string;

  @Property({ type: 'text', nullable: true })
  phoneNumber: string | null = null;

  @Property({ type: 'text', nullable: true })
  name: string | null = null;

  /** The customer's LID (such as 123456789012345@lid), once WhatsApp revealed it. */
  @Property({ type: 'text', nullable: true })
  lid: string | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
