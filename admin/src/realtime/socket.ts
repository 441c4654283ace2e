import { io, type Socket } from 'socket.io-client';
import type { ServerToClientEvents } from './events';

// The panel never emits, because the feed is one-way.
export type RealtimeSocket = Socket<ServerToClientEvents, Record<string, never>>;

export type SocketFactory = (token: string) => RealtimeSocket;

/** Opens the feed on the panel's own origin (`/socket.io`), authenticated by the JWT. */
export const createRealtimeSocket: SocketFactory = token =>
    io({
        path: '/socket.io',
        auth: { token },
        transports: ['websocket', 'polling'],
        reconnectionDelay: 1000,
        reconnectionDelayMax: 10000,
    });
