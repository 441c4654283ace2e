import type { WAMessageKey } from '@whiskeysockets/baileys';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { ConnectionManager } from '../whatsapp-sessions/connection-manager.service';
import { BAILEYS, type Baileys } from '../whatsapp-sessions/baileys.provider';
import { StoredMessageLookup } from '../whatsapp-sessions/whatsapp-events';
import { scopeTenantId } from '../common/tenant-context';
import { MessagesRepository } from './messages.repository';

/**
 * Baileys' `getMessage`: the stored proto of a message of this session, so a recipient's retry
 * request gets the same content again. Unknown ids give undefined, never an empty message.
 */
@Injectable()
export class DatabaseStoredMessageLookup implements StoredMessageLookup, OnModuleInit {
  constructor(
    private readonly connections: ConnectionManager,
    private readonly em: EntityManager,
    private readonly repository: MessagesRepository,
    @Inject(BAILEYS) private readonly baileys: Baileys,
  ) {}

  onModuleInit(): void {
    this.connections.useStoredMessageLookup(this);
  }

  async findProto(sessionId: string, key: WAMessageKey): Promise<unknown | undefined> {
    if (!key.id) return undefined;
    // Baileys calls this from the session's socket, which was opened in its tenant's scope. A call with no scope fails.
    const payload = await this.repository.findPayload(this.em.fork(), scopeTenantId('Looking up a stored message for WhatsApp'), sessionId, key.id);
    if (!payload) return undefined;
    return JSON.parse(JSON.stringify(payload), this.baileys.BufferJSON.reviver);
  }
}
