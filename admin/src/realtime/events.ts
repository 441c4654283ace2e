import type { Conversation, Message, SessionStatus } from '../types';

export interface SessionQrEvent {
    sessionId: string;
    qr: string;
    qrDataUrl: string;
    expiresAt: string;
}

export interface SessionStatusEvent {
    sessionId: string;
    status: SessionStatus;
    phoneNumber: string | null;
    reason: string | null;
}

export interface MessageCreatedEvent {
    sessionId: string;
    conversationId: string;
    message: Message;
}

export type MessageUpdatedEvent = {
    sessionId: string;
    conversationId: string;
    id: string;
} & Partial<Omit<Message, 'id'>>;

export interface ConversationUpdatedEvent {
    conversation: Conversation;
}

export interface ConversationMergedEvent {
    from: string;
    into: string;
}

export interface HistorySyncedEvent {
    sessionId: string;
    conversations: number;
    messages: number;
}

/** The server-to-client events of the Socket.IO feed. */
export interface ServerToClientEvents {
    'session.qr': (event: SessionQrEvent) => void;
    'session.status': (event: SessionStatusEvent) => void;
    'message.created': (event: MessageCreatedEvent) => void;
    'message.updated': (event: MessageUpdatedEvent) => void;
    'conversation.updated': (event: ConversationUpdatedEvent) => void;
    'conversation.merged': (event: ConversationMergedEvent) => void;
    'history.synced': (event: HistorySyncedEvent) => void;
}

export type RealtimeEventName = keyof ServerToClientEvents;
