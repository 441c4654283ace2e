import type { RaRecord } from 'react-admin';

export type Role = 'superadmin' | 'admin' | 'agent';

export const ROLES: readonly Role[] = ['superadmin', 'admin', 'agent'];

export interface CurrentUser {
    id: string;
    email: string;
    name: string;
    role: Role;
    tenantId: string | null;
}

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

export interface Session extends RaRecord<string> {
    name: string;
    status: SessionStatus;
    phoneNumber: string | null;
    pushName: string | null;
    isDefault: boolean;
    lastError: SessionError | null;
    reconnectAttempts?: number;
    nextAttemptAt?: string | null;
    createdAt: string;
}

export interface QrInfo {
    qr: string;
    qrDataUrl: string;
    expiresAt: string;
}

export interface PairingCode {
    code: string;
    expiresAt: string;
}

export interface ContactSummary {
    id: string;
    name: string | null;
    phoneNumber: string | null;
}

export interface Conversation extends RaRecord<string> {
    sessionId: string;
    /** The customer of a one-to-one chat; null for a group conversation. */
    contact: ContactSummary | null;
    /** The group of a group conversation; null for a one-to-one chat. */
    group?: { id: string; name: string | null } | null;
    lastMessageAt: string | null;
    lastMessagePreview: string | null;
    unreadCount: number;
}

export type OutboundStatus = 'queued' | 'pending' | 'sent' | 'delivered' | 'read' | 'played' | 'failed';
export type MessageStatus = OutboundStatus | 'received';

export interface Message extends RaRecord<string> {
    sessionId: string;
    conversationId: string;
    waMessageId: string | null;
    direction: 'in' | 'out';
    type: string;
    content: string | null;
    status: MessageStatus;
    error: { code?: string; message?: string } | null;
    timestamp: string;
    senderName?: string | null;
    /** Type-specific fields: coordinates, contacts, poll options, link preview, mimetype… */
    data?: Record<string, unknown> | null;
    quotedMessageId?: string | null;
    reactions?: Reaction[] | null;
    editedAt?: string | null;
    deletedAt?: string | null;
}

export interface Reaction {
    /** `me` for the business's own reaction, otherwise the customer's JID. */
    by: string;
    emoji: string;
    at?: string;
}

export type MediaType = 'image' | 'video' | 'audio' | 'document' | 'sticker';

/** A file the panel sends in a conversation, as a multipart upload. */
export interface MediaUpload {
    type: MediaType;
    file: Blob;
    fileName: string;
    caption?: string;
    /** Audio only: send as a voice note. */
    ptt?: boolean;
    replyTo?: string;
}

/** Body of a message the panel sends in a conversation. `reply` also takes a plain string for text. */
export type OutgoingMessage =
    | { type?: 'text'; content: string; replyTo?: string }
    | { type: 'location'; latitude: number; longitude: number; name?: string; address?: string; replyTo?: string }
    | { type: 'reaction'; messageId: string; emoji: string }
    | { type: 'contact'; name: string; phoneNumber: string; replyTo?: string }
    | { type: 'poll'; name: string; options: string[]; multiple: boolean; replyTo?: string };

export interface Contact extends RaRecord<string> {
    name: string | null;
    phoneNumber: string | null;
    createdAt: string;
}

export interface Tenant extends RaRecord<string> {
    name: string;
    status: 'active' | 'suspended';
    createdAt: string;
}

export interface User extends RaRecord<string> {
    email: string;
    name: string;
    role: Role;
    active: boolean;
    createdAt: string;
}

export type ChatPolicy = 'store' | 'ignore';

export interface TenantSettings {
    name: string;
    timeZone: string;
    language: 'es' | 'en';
    currency: string;
    groups?: ChatPolicy;
    statuses?: ChatPolicy;
    channels?: ChatPolicy;
    readReceipts?: boolean;
    fullHistorySync?: boolean;
    businessDescription?: string;
    businessAddress?: string;
    /** Per weekday (`monday` … `sunday`), opening ranges as `HH:MM` in the tenant's time zone. */
    openingHours?: Partial<Record<string, { open: string; close: string }[]>>;
}

export interface DashboardStats {
    sessionsByStatus: Partial<Record<SessionStatus, number>>;
    waitingConversations: number;
    messagesToday: { in: number; out: number };
}

export interface AppConfig {
    whatsappMode: 'live' | 'sandbox';
}

export interface SendResult {
    id: string;
    waMessageId: string | null;
    status: MessageStatus;
    conversationId: string;
}

export interface SandboxInboxItem {
    waMessageId: string;
    from: string;
    to: string;
    type: string;
    content: string | null;
    timestamp: string;
    status: string;
}

export type ApiKeyRole = 'admin' | 'agent';

/** An API key as the list shows it; the key itself is only in the response that created it. */
export interface ApiKey extends RaRecord<string> {
    name: string;
    role: ApiKeyRole;
    prefix: string;
    createdBy: string | null;
    createdAt: string;
    lastUsedAt: string | null;
    revokedAt: string | null;
}

export interface CreatedApiKey extends ApiKey {
    key: string;
}

export interface AuditEvent extends RaRecord<string> {
    action: string;
    targetType: string;
    targetId: string | null;
    actorType: 'user' | 'api_key' | 'system';
    actorId: string | null;
    actorName: string | null;
    details: Record<string, unknown>;
    ip: string | null;
    createdAt: string;
}
