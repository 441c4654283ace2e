import { io, type Socket } from 'socket.io-client';
import { freshAccessToken } from '../providers/tokenRefresh';
import type { ServerToClientEvents } from './events';

// The panel never emits, because the feed is one-way.
export type RealtimeSocket = Socket<ServerToClientEvents, Record<string, never>>;

export type SocketFactory = (token: string) => RealtimeSocket;

/**
 * Opens the feed on the panel's own origin (`/socket.io`). Every connection attempt, reconnections
 * included, sends a current access token, renewed first when it is about to expire; `token` is the
 * fallback when no renewal is possible.
 */
export const createRealtimeSocket: SocketFactory = token =>
    io({
        path: '/socket.io',
        auth: callback => {
            void freshAccessToken()
                .catch(() => null)
                .then(fresh => callback({ token: fresh ?? token }));
        },
        transports: ['websocket', 'polling'],
        reconnectionDelay: 1000,
        reconnectionDelayMax: 10000,
    });
