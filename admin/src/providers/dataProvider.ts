import simpleRestProvider from 'ra-data-simple-rest';
import type { DataProvider, GetListResult, Identifier, RaRecord, UpdateParams } from 'react-admin';
import type {
    AppConfig,
    Conversation,
    DashboardStats,
    MediaUpload,
    Message,
    OutgoingMessage,
    PairingCode,
    QrInfo,
    SandboxInboxItem,
    SendResult,
    Session,
    TenantSettings,
} from '../types';
import { API_URL } from './authProvider';
import { httpClient } from './httpClient';

export interface ThreadParams {
    /** How many of the latest messages to load. */
    limit: number;
}

/** The custom calls the panel makes beyond react-admin's CRUD methods. */
export interface CharlaDataProvider extends DataProvider {
    connectSession(id: Identifier): Promise<Session>;
    disconnectSession(id: Identifier): Promise<Session>;
    getQr(id: Identifier): Promise<QrInfo>;
    requestPairingCode(id: Identifier, phoneNumber: string): Promise<PairingCode>;
    getThread(conversationId: Identifier, params: ThreadParams): Promise<GetListResult<Message>>;
    markConversationRead(id: Identifier): Promise<Conversation>;
    /** Sends a message: a string is a text message, an object any other type (with `replyTo` to quote). */
    reply(conversationId: Identifier, body: string | OutgoingMessage): Promise<SendResult>;
    /** Sends a photo, video, audio, document or sticker as a multipart upload. */
    sendMedia(conversationId: Identifier, upload: MediaUpload): Promise<SendResult>;
    editMessage(messageId: Identifier, content: string): Promise<Message>;
    deleteMessage(messageId: Identifier): Promise<void>;
    sandboxScan(qr: string, phoneNumber: string, pushName: string): Promise<unknown>;
    sandboxSend(from: string, to: string, content: string, pushName?: string): Promise<unknown>;
    sandboxInbox(phoneNumber: string): Promise<SandboxInboxItem[]>;
    getDashboard(): Promise<DashboardStats>;
    getConfig(): Promise<AppConfig>;
    getSettings(): Promise<TenantSettings>;
    updateSettings(data: Partial<TenantSettings>): Promise<TenantSettings>;
}

type HttpClient = typeof httpClient;

const id = (value: Identifier) => encodeURIComponent(String(value));

/** Fields of `data` that differ from `previousData`, so PATCH sends only what the user changed. */
export function changedFields(params: Pick<UpdateParams, 'data' | 'previousData'>): Record<string, unknown> {
    const previous = (params.previousData ?? {}) as Record<string, unknown>;
    const changed: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(params.data as Record<string, unknown>)) {
        if (key === 'id') continue;
        if (JSON.stringify(value) !== JSON.stringify(previous[key])) changed[key] = value;
    }
    return changed;
}

/**
 * Creates the data provider: `ra-data-simple-rest` on `/api` with the JWT header. Updates send a PATCH
 * of the changed fields. `getMany` reads records one by one because the API rejects an `id` filter.
 * Deletes return the record react-admin already had, because the API responds 204 without a body.
 */
export function createDataProvider(client: HttpClient = httpClient, apiUrl = API_URL): CharlaDataProvider {
    const base = simpleRestProvider(apiUrl, client);
    const json = async <T,>(path: string, init: RequestInit = {}): Promise<T> =>
        (await client(`${apiUrl}${path}`, init)).json as T;
    const post = <T,>(path: string, body?: unknown) =>
        json<T>(path, { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body) });

    return {
        ...base,

        async getMany(resource, params) {
            const unique = [...new Set(params.ids.map(String))];
            const results = await Promise.allSettled(
                unique.map(recordId => base.getOne(resource, { id: recordId, signal: params.signal }))
            );
            return {
                data: results.flatMap(result => (result.status === 'fulfilled' ? [result.value.data] : [])),
            };
        },

        async update(resource, params) {
            const { json: data } = await client(`${apiUrl}/${resource}/${id(params.id)}`, {
                method: 'PATCH',
                body: JSON.stringify(changedFields(params)),
            });
            return { data: { ...params.previousData, ...data } };
        },

        async updateMany(resource, params) {
            await Promise.all(
                params.ids.map(recordId =>
                    client(`${apiUrl}/${resource}/${id(recordId)}`, { method: 'PATCH', body: JSON.stringify(params.data) })
                )
            );
            return { data: params.ids };
        },

        async delete<RecordType extends RaRecord = RaRecord>(resource: string, params: { id: Identifier; previousData?: RecordType }) {
            const { json: data } = await client(`${apiUrl}/${resource}/${id(params.id)}`, { method: 'DELETE' });
            return { data: (data ?? params.previousData ?? { id: params.id }) as RecordType };
        },

        connectSession: sessionId => post<Session>(`/sessions/${id(sessionId)}/connect`),
        disconnectSession: sessionId => post<Session>(`/sessions/${id(sessionId)}/disconnect`),
        getQr: sessionId => json<QrInfo>(`/sessions/${id(sessionId)}/qr`),
        requestPairingCode: (sessionId, phoneNumber) =>
            post<PairingCode>(`/sessions/${id(sessionId)}/pairing-code`, { phoneNumber }),

        async getThread(conversationId, { limit }) {
            // The latest `limit` messages: newest first from the API, shown oldest first.
            const query = new URLSearchParams({
                sort: JSON.stringify(['timestamp', 'DESC']),
                range: JSON.stringify([0, Math.max(0, limit - 1)]),
            });
            const { json: data, headers } = await client(
                `${apiUrl}/conversations/${id(conversationId)}/messages?${query.toString()}`
            );
            const total = Number.parseInt(headers.get('content-range')?.split('/').pop() ?? '', 10);
            const messages = [...(data as Message[])].reverse();
            return { data: messages, total: Number.isNaN(total) ? messages.length : total };
        },
        markConversationRead: conversationId => post<Conversation>(`/conversations/${id(conversationId)}/read`),
        reply: (conversationId, body) =>
            post<SendResult>(`/conversations/${id(conversationId)}/messages`, typeof body === 'string' ? { content: body } : body),
        sendMedia: (conversationId, upload) => {
            const form = new FormData();
            form.append('type', upload.type);
            if (upload.caption) form.append('caption', upload.caption);
            if (upload.ptt) form.append('ptt', 'true');
            if (upload.replyTo) form.append('replyTo', upload.replyTo);
            if (upload.type === 'document') form.append('fileName', upload.fileName);
            form.append('file', upload.file, upload.fileName);
            // No Content-Type header: the browser sets multipart/form-data with its boundary.
            return json<SendResult>(`/conversations/${id(conversationId)}/messages`, { method: 'POST', body: form });
        },
        editMessage: (messageId, content) =>
            json<Message>(`/messages/${id(messageId)}`, { method: 'PATCH', body: JSON.stringify({ content }) }),
        async deleteMessage(messageId) {
            await client(`${apiUrl}/messages/${id(messageId)}`, { method: 'DELETE' });
        },

        sandboxScan: (qr, phoneNumber, pushName) => post('/sandbox/scan', { qr, phoneNumber, pushName }),
        sandboxSend: (from, to, content, pushName) =>
            post('/sandbox/messages', pushName ? { from, to, content, pushName } : { from, to, content }),
        sandboxInbox: phoneNumber => json<SandboxInboxItem[]>(`/sandbox/inbox/${encodeURIComponent(phoneNumber)}`),

        getDashboard: () => json<DashboardStats>('/dashboard'),
        getConfig: () => json<AppConfig>('/config'),
        getSettings: () => json<TenantSettings>('/settings'),
        updateSettings: data => json<TenantSettings>('/settings', { method: 'PATCH', body: JSON.stringify(data) }),
    };
}

export const dataProvider = createDataProvider();
