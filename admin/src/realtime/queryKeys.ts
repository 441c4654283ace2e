import type { Identifier } from 'react-admin';

/** Query keys of the panel's own queries. react-admin's keys follow `[resource, method, params]`. */
export const queryKeys = {
    qr: (sessionId: Identifier) => ['sessions', 'qr', String(sessionId)] as const,
    thread: (conversationId: Identifier) => ['messages', 'thread', String(conversationId)] as const,
    threadPage: (conversationId: Identifier, limit: number) =>
        ['messages', 'thread', String(conversationId), limit] as const,
    dashboard: () => ['dashboard'] as const,
    config: () => ['config'] as const,
    settings: () => ['settings'] as const,
    pairingSupport: () => ['sessions', 'pairingSupport'] as const,
};
