import type { RealtimeEventName, ServerToClientEvents } from '../realtime/events';
import type { RealtimeSocket } from '../realtime/socket';

type Listener = (...args: unknown[]) => void;

/** A stand-in for the Socket.IO client: tests push server events into it with `serverEmit`. */
export class FakeSocket {
    private listeners = new Map<string, Set<Listener>>();
    connected = true;
    io = { on: () => undefined, removeAllListeners: () => undefined };

    on(event: string, listener: Listener) {
        if (!this.listeners.has(event)) this.listeners.set(event, new Set());
        this.listeners.get(event)!.add(listener);
        return this;
    }

    off(event: string, listener: Listener) {
        this.listeners.get(event)?.delete(listener);
        return this;
    }

    removeAllListeners() {
        this.listeners.clear();
        return this;
    }

    /** How many times the panel asked to connect again. */
    connects = 0;

    disconnect() {
        this.connected = false;
        return this;
    }

    connect() {
        this.connects++;
        this.connected = true;
        this.fire('connect');
        return this;
    }

    /** Ends the connection from the server side, as the server does when the user's access changed. */
    serverDisconnect(reason = 'io server disconnect') {
        this.connected = false;
        this.fire('disconnect', reason);
    }

    private fire(event: string, ...args: unknown[]) {
        for (const listener of [...(this.listeners.get(event) ?? [])]) listener(...args);
    }

    serverEmit<E extends RealtimeEventName>(event: E, ...payload: Parameters<ServerToClientEvents[E]>) {
        this.fire(event, ...payload);
    }

    asSocket(): RealtimeSocket {
        return this as unknown as RealtimeSocket;
    }
}
