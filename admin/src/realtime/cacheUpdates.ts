import type { Query, QueryClient, QueryKey } from '@tanstack/react-query';
import type { GetListResult, Identifier, RaRecord } from 'react-admin';
import type { Conversation, Message, Session } from '../types';
import type {
    ConversationMergedEvent,
    ConversationUpdatedEvent,
    MessageCreatedEvent,
    MessageUpdatedEvent,
    SessionQrEvent,
    SessionStatusEvent,
} from './events';
import { queryKeys } from './queryKeys';

/*
 * Functions that apply each realtime event to the react-query cache. Records already on screen are
 * patched in place with setQueryData. A query is refetched only when the event cannot be applied to
 * it, for example a new conversation on a page sorted by name.
 */

interface ListParams {
    pagination?: { page: number; perPage: number };
    sort?: { field: string; order: 'ASC' | 'DESC' };
    filter?: Record<string, unknown>;
    target?: string;
    id?: Identifier;
}

const LIST_METHODS = ['getList', 'getManyReference', 'getInfiniteList'];

function isListQuery(resource: string) {
    return (query: Query) =>
        query.queryKey[0] === resource && LIST_METHODS.includes(String(query.queryKey[1]));
}

function isOneQuery(resource: string, id: Identifier) {
    return (query: Query) =>
        query.queryKey[0] === resource &&
        query.queryKey[1] === 'getOne' &&
        (query.queryKey[2] as { id?: string } | undefined)?.id === String(id);
}

/** Patches a record wherever it is cached: in its getOne query and in every list that contains it. */
export function patchRecord<T extends RaRecord>(
    queryClient: QueryClient,
    resource: string,
    id: Identifier,
    patch: (record: T) => T
): void {
    queryClient.setQueriesData<T>({ predicate: isOneQuery(resource, id) }, record =>
        record ? patch(record) : record
    );
    queryClient.setQueriesData<GetListResult<T>>({ predicate: isListQuery(resource) }, result => {
        if (!result?.data?.some(record => String(record.id) === String(id))) return result;
        return {
            ...result,
            data: result.data.map(record => (String(record.id) === String(id) ? patch(record) : record)),
        };
    });
}

export function findCachedRecord<T extends RaRecord>(
    queryClient: QueryClient,
    resource: string,
    id: Identifier
): T | undefined {
    for (const [, record] of queryClient.getQueriesData<T>({ predicate: isOneQuery(resource, id) })) {
        if (record) return record;
    }
    for (const [, result] of queryClient.getQueriesData<GetListResult<T>>({ predicate: isListQuery(resource) })) {
        const found = result?.data?.find(record => String(record.id) === String(id));
        if (found) return found;
    }
    return undefined;
}

export function applySessionStatus(queryClient: QueryClient, event: SessionStatusEvent): void {
    patchRecord<Session>(queryClient, 'sessions', event.sessionId, session => ({
        ...session,
        status: event.status,
        phoneNumber: event.phoneNumber ?? session.phoneNumber,
    }));
    if (event.status !== 'qr') {
        queryClient.removeQueries({ queryKey: queryKeys.qr(event.sessionId), exact: true });
    }
    // The event carries the status only, so fetch this one session again for lastError and pushName.
    void queryClient.invalidateQueries({ predicate: isOneQuery('sessions', event.sessionId) });
    void queryClient.invalidateQueries({ queryKey: queryKeys.dashboard() });
}

export function applySessionQr(queryClient: QueryClient, event: SessionQrEvent): void {
    queryClient.setQueryData(queryKeys.qr(event.sessionId), {
        qr: event.qr,
        qrDataUrl: event.qrDataUrl,
        expiresAt: event.expiresAt,
    });
    patchRecord<Session>(queryClient, 'sessions', event.sessionId, session => ({ ...session, status: 'qr' }));
}

function byTimestamp(left: Message, right: Message): number {
    return new Date(left.timestamp).getTime() - new Date(right.timestamp).getTime();
}

function sameMessage(left: Message, right: Pick<Message, 'id' | 'waMessageId'>): boolean {
    return String(left.id) === String(right.id) || (!!left.waMessageId && left.waMessageId === right.waMessageId);
}

/**
 * Adds a message to the thread of its conversation, or merges it into the copy already there
 * (unless `keepExisting`, used for the panel's own optimistic copy, which is older than any event).
 */
export function upsertThreadMessage(
    queryClient: QueryClient,
    conversationId: Identifier,
    message: Message,
    { keepExisting = false }: { keepExisting?: boolean } = {}
): void {
    queryClient.setQueriesData<GetListResult<Message>>({ queryKey: queryKeys.thread(conversationId) }, result => {
        if (!result) return result;
        const exists = result.data.some(existing => sameMessage(existing, message));
        if (exists && keepExisting) return result;
        const data = exists
            ? result.data.map(existing => (sameMessage(existing, message) ? { ...existing, ...message } : existing))
            : [...result.data, message].sort(byTimestamp);
        return { ...result, data, total: (result.total ?? result.data.length) + (exists ? 0 : 1) };
    });
}

export function applyMessageCreated(queryClient: QueryClient, event: MessageCreatedEvent): void {
    upsertThreadMessage(queryClient, event.conversationId, event.message);
    patchRecord<Conversation>(queryClient, 'conversations', event.conversationId, conversation => ({
        ...conversation,
        lastMessageAt: event.message.timestamp,
        lastMessagePreview: event.message.content ?? conversation.lastMessagePreview,
    }));
    void queryClient.invalidateQueries({ queryKey: queryKeys.dashboard() });
}

export function applyMessageUpdated(queryClient: QueryClient, event: MessageUpdatedEvent): void {
    const { sessionId: _sessionId, conversationId, id, ...changes } = event;
    queryClient.setQueriesData<GetListResult<Message>>({ queryKey: queryKeys.thread(conversationId) }, result => {
        if (!result?.data.some(message => String(message.id) === String(id))) return result;
        return {
            ...result,
            data: result.data.map(message => (String(message.id) === String(id) ? { ...message, ...changes } : message)),
        };
    });
}

function normalize(value: string | null | undefined): string {
    return (value ?? '').toLocaleLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '');
}

/**
 * Returns whether a conversation belongs in a list with these params. Returns `undefined` for an
 * unknown filter, so the caller refetches that list.
 */
export function conversationMatches(conversation: Conversation, params: ListParams): boolean | undefined {
    const filter = { ...(params.filter ?? {}) };
    if (params.target && params.id != null) filter[params.target] = params.id;
    for (const [key, value] of Object.entries(filter)) {
        if (value === undefined || value === '' || value === null) continue;
        switch (key) {
            case 'sessionId':
                if (String(conversation.sessionId) !== String(value)) return false;
                break;
            case 'contactId':
                if (String(conversation.contact?.id) !== String(value)) return false;
                break;
            case 'q': {
                const needle = normalize(String(value));
                const digits = needle.replace(/\D/g, '');
                const inName = normalize(conversation.contact?.name).includes(needle);
                const inNumber = digits.length > 0 && (conversation.contact?.phoneNumber ?? '').replace(/\D/g, '').includes(digits);
                if (!inName && !inNumber) return false;
                break;
            }
            default:
                return undefined;
        }
    }
    return true;
}

function byLastMessageDesc(left: Conversation, right: Conversation): number {
    return new Date(right.lastMessageAt ?? 0).getTime() - new Date(left.lastMessageAt ?? 0).getTime();
}

/** Puts a changed conversation where it belongs in each cached list: new activity moves it to the top. */
export function upsertConversation(queryClient: QueryClient, conversation: Conversation): void {
    queryClient.setQueriesData<Conversation>({ predicate: isOneQuery('conversations', conversation.id) }, current =>
        current ? { ...current, ...conversation } : current
    );

    const stale: QueryKey[] = [];
    for (const [queryKey, result] of queryClient.getQueriesData<GetListResult<Conversation>>({
        predicate: isListQuery('conversations'),
    })) {
        if (!result?.data) continue;
        const params = (queryKey[2] ?? {}) as ListParams;
        const matches = conversationMatches(conversation, params);
        const index = result.data.findIndex(item => String(item.id) === String(conversation.id));
        const byRecency = params.sort?.field === 'lastMessageAt' && params.sort.order === 'DESC';
        const firstPage = (params.pagination?.page ?? 1) === 1;
        const perPage = params.pagination?.perPage ?? result.data.length;

        if (matches === undefined) {
            stale.push(queryKey);
            continue;
        }
        if (index >= 0 && !matches) {
            const data = result.data.filter((_, position) => position !== index);
            queryClient.setQueryData(queryKey, { ...result, data, total: Math.max(0, (result.total ?? 1) - 1) });
            continue;
        }
        if (index >= 0 && byRecency) {
            const data = [...result.data];
            data[index] = { ...data[index], ...conversation };
            queryClient.setQueryData(queryKey, { ...result, data: data.sort(byLastMessageDesc) });
            continue;
        }
        if (index >= 0) {
            const data = result.data.map(item => (String(item.id) === String(conversation.id) ? { ...item, ...conversation } : item));
            queryClient.setQueryData(queryKey, { ...result, data });
            continue;
        }
        if (matches && byRecency && firstPage) {
            const data = [conversation, ...result.data].sort(byLastMessageDesc).slice(0, perPage);
            queryClient.setQueryData(queryKey, { ...result, data, total: (result.total ?? result.data.length) + 1 });
            continue;
        }
        if (matches) stale.push(queryKey);
    }
    for (const queryKey of stale) {
        void queryClient.invalidateQueries({ queryKey, exact: true });
    }
}

export function applyConversationUpdated(queryClient: QueryClient, event: ConversationUpdatedEvent): void {
    upsertConversation(queryClient, event.conversation);
    void queryClient.invalidateQueries({ queryKey: queryKeys.dashboard() });
}

export function applyConversationMerged(queryClient: QueryClient, event: ConversationMergedEvent): void {
    queryClient.setQueriesData<GetListResult<Conversation>>({ predicate: isListQuery('conversations') }, result => {
        if (!result?.data?.some(item => String(item.id) === String(event.from))) return result;
        return {
            ...result,
            data: result.data.filter(item => String(item.id) !== String(event.from)),
            total: Math.max(0, (result.total ?? 1) - 1),
        };
    });
    queryClient.removeQueries({ queryKey: queryKeys.thread(event.from) });
    void queryClient.invalidateQueries({ queryKey: queryKeys.thread(event.into) });
    void queryClient.invalidateQueries({ predicate: isOneQuery('conversations', event.into) });
}
