import { useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { useLogout, useNotify } from 'react-admin';
import { SESSION_EXPIRED_KEY } from '../providers/authProvider';
import { authStorage } from '../providers/authStorage';
import {
    applyConversationMerged,
    applyConversationUpdated,
    applyMessageCreated,
    applyMessageUpdated,
    applySessionQr,
    applySessionStatus,
} from './cacheUpdates';
import type { RealtimeEventName, ServerToClientEvents } from './events';
import { queryKeys } from './queryKeys';
import { createRealtimeSocket, type RealtimeSocket, type SocketFactory } from './socket';

interface RealtimeContextValue {
    socket: RealtimeSocket | null;
    connected: boolean;
}

const RealtimeContext = createContext<RealtimeContextValue>({ socket: null, connected: false });

/**
 * Holds the panel's single Socket.IO client for as long as someone is signed in, and applies every
 * event to the react-query cache so that lists, threads and QR codes update in place.
 */
export function RealtimeProvider({
    children,
    socketFactory = createRealtimeSocket,
    token = authStorage.getToken(),
}: {
    children: ReactNode;
    socketFactory?: SocketFactory;
    token?: string | null;
}) {
    const queryClient = useQueryClient();
    const logout = useLogout();
    const notify = useNotify();
    const [socket, setSocket] = useState<RealtimeSocket | null>(null);
    const [connected, setConnected] = useState(false);
    const logoutRef = useRef({ logout, notify });
    logoutRef.current = { logout, notify };

    useEffect(() => {
        if (!token) return;
        const client = socketFactory(token);
        setSocket(client);

        let rejoining = false;
        client.on('connect', () => {
            setConnected(true);
            if (!rejoining) return;
            rejoining = false;
            void queryClient.invalidateQueries({ type: 'active' });
        });
        client.on('disconnect', reason => {
            setConnected(false);
            // The server ends the connections of a user whose password, status or role changed, and
            // Socket.IO does not reconnect on its own then. A new connection is checked with a fresh
            // token: it comes back with the new role, or fails with UNAUTHORIZED and logs out.
            if (reason !== 'io server disconnect') return;
            rejoining = true;
            client.connect();
        });
        client.on('connect_error', error => {
            setConnected(false);
            if (/^UNAUTHORIZED/.test(error.message)) {
                client.disconnect();
                logoutRef.current.notify(SESSION_EXPIRED_KEY, { type: 'error' });
                void logoutRef.current.logout();
            }
        });
        client.on('session.qr', event => applySessionQr(queryClient, event));
        client.on('session.status', event => applySessionStatus(queryClient, event));
        client.on('message.created', event => applyMessageCreated(queryClient, event));
        client.on('message.updated', event => applyMessageUpdated(queryClient, event));
        client.on('conversation.updated', event => applyConversationUpdated(queryClient, event));
        client.on('conversation.merged', event => applyConversationMerged(queryClient, event));
        // A history sync can touch hundreds of conversations at once, so the lists reload instead.
        client.on('history.synced', () => {
            void queryClient.invalidateQueries({ queryKey: ['conversations'] });
            void queryClient.invalidateQueries({ queryKey: queryKeys.dashboard() });
        });
        // Events sent during a disconnection are lost, so refetch what is on screen once after a reconnect.
        client.io.on('reconnect', () => void queryClient.invalidateQueries({ type: 'active' }));

        return () => {
            client.removeAllListeners();
            client.io.removeAllListeners('reconnect');
            client.disconnect();
            setSocket(null);
            setConnected(false);
        };
    }, [token, socketFactory, queryClient]);

    return <RealtimeContext.Provider value={{ socket, connected }}>{children}</RealtimeContext.Provider>;
}

export function useRealtime(): RealtimeContextValue {
    return useContext(RealtimeContext);
}

/** Runs `handler` for every `event` on the shared socket while the calling component is mounted. */
export function useRealtimeEvent<E extends RealtimeEventName>(event: E, handler: ServerToClientEvents[E]): void {
    const { socket } = useRealtime();
    const handlerRef = useRef(handler);
    handlerRef.current = handler;

    useEffect(() => {
        if (!socket) return;
        const listener = ((...args: Parameters<ServerToClientEvents[E]>) =>
            (handlerRef.current as (...a: unknown[]) => void)(...args)) as unknown as ServerToClientEvents[E];
        // socket.io-client's typed `on` rejects a generic event name, so this cast keeps call sites typed.
        (socket as unknown as { on: (name: string, fn: unknown) => void }).on(event, listener);
        return () => {
            (socket as unknown as { off: (name: string, fn: unknown) => void }).off(event, listener);
        };
    }, [socket, event]);
}
