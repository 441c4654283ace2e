import type { WAMessage, WAMessageKey, WAMessageUpdate } from '@whiskeysockets/baileys';
import { Injectable } from '@nestjs/common';
import { Subject } from 'rxjs';
import { runInTenant } from '../common/tenant-context';

interface SessionRef {
  sessionId: string;
  tenantId: string;
}

export type WhatsAppEvent =
  | (SessionRef & { type: 'messages.upsert'; messages: WAMessage[]; upsertType: 'notify' | 'append' })
  | (SessionRef & { type: 'messages.update'; updates: WAMessageUpdate[] })
  /** Chats and messages the phone pushed after linking (history sync), stored in bulk. */
  | (SessionRef & { type: 'history.set'; messages: WAMessage[]; /** Part of a full sync rather than recent chats. */ full?: boolean })
  /** The session is connected and synced (or the outbox got new messages): queued sends may go out. */
  | (SessionRef & { type: 'session.ready' });

/** Events of the sockets this process owns, for the messages module to store and send. */
@Injectable()
export class WhatsAppEvents {
  private readonly subject = new Subject<WhatsAppEvent>();
  readonly stream = this.subject.asObservable();

  /** Subscribers handle each event inside the scope of the session's tenant, and what they start inherits it. */
  emit(event: WhatsAppEvent): void {
    runInTenant(event.tenantId, () => this.subject.next(event));
  }
}

/** Looks up a stored message so Baileys can resend it when a recipient requests a retry. */
export interface StoredMessageLookup {
  findProto(sessionId: string, key: WAMessageKey): Promise<unknown | undefined>;
}
