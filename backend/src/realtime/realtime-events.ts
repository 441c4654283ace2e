import { Injectable } from '@nestjs/common';
import { Subject } from 'rxjs';
import { runInTenant } from '../common/tenant-context';

export interface SessionQrEvent {
  sessionId: string;
  qr: string;
  qrDataUrl: string;
  expiresAt: string;
}

export interface SessionStatusEvent {
  sessionId: string;
  status: string;
  phoneNumber: string | null;
  reason: string | null;
}

/** The server-to-client event map of the Socket.IO feed. */
export interface RealtimeEventMap {
  'session.qr': SessionQrEvent;
  'session.status': SessionStatusEvent;
  'message.created': { sessionId: string; conversationId: string; message: unknown };
  'message.updated': { sessionId: string; conversationId: string; id: string; status?: string; [changed: string]: unknown };
  'conversation.updated': { conversation: unknown };
  /** Two conversations turned out to be one person (a LID and a phone number); `from` is gone. */
  'conversation.merged': { from: string; into: string };
  /** Automatic replies stopped in a conversation until an agent turns them back on; `reason` says why. */
  'conversation.handoff': { conversationId: string; sessionId: string; reason: string; messageId: string | null };
  /** A history sync was stored: one summary instead of an event per message or conversation. */
  'history.synced': { sessionId: string; conversations: number; messages: number };
}

export type RealtimeEventName = keyof RealtimeEventMap;

/** The members of a tenant who may receive an event; QR codes go to the tenant's admins only. */
export type Audience = 'tenant' | 'admins';

export interface RealtimeEnvelope<E extends RealtimeEventName = RealtimeEventName> {
  tenantId: string;
  event: E;
  payload: RealtimeEventMap[E];
  audience: Audience;
}

/** A user whose live connections must end: their tokens were revoked or their role changed. */
export interface ConnectionEnding {
  tenantId: string;
  userId: string;
  reason: string;
}

/** In-process bus between the domain services and the Socket.IO gateway. */
@Injectable()
export class RealtimeEvents {
  private readonly subject = new Subject<RealtimeEnvelope>();
  readonly stream = this.subject.asObservable();
  private readonly endingSubject = new Subject<ConnectionEnding>();
  readonly endings = this.endingSubject.asObservable();

  /**
   * Disconnects the user's open Socket.IO connections in every app process. A handshake checks the
   * token, so without this a connection opened before a password change would go on receiving events.
   */
  endConnectionsOf(tenantId: string, userId: string, reason: string): void {
    runInTenant(tenantId, () => this.endingSubject.next({ tenantId, userId, reason }));
  }

  /** Subscribers get the event inside its tenant's scope; code serving one tenant cannot publish for another. */
  publish<E extends RealtimeEventName>(tenantId: string, event: E, payload: RealtimeEventMap[E], audience: Audience = 'tenant'): void {
    runInTenant(tenantId, () => this.subject.next({ tenantId, event, payload, audience } as RealtimeEnvelope));
  }
}

export function userRoom(userId: string): string {
  return `user:${userId}`;
}

export function tenantRoom(tenantId: string, audience: Audience = 'tenant'): string {
  return audience === 'admins' ? `tenant:${tenantId}:admins` : `tenant:${tenantId}`;
}
