import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import type { Message } from '../types';

interface ComposerState {
    /** The message the next reply quotes, if any. */
    replyTo: Message | null;
    setReplyTo: (message: Message | null) => void;
}

const ComposerContext = createContext<ComposerState | null>(null);

/**
 * Shares the "reply to" choice between the thread (where a bubble's reply action sets it) and the
 * reply box (which shows it and sends it). Without this provider the bubbles show no actions.
 */
export function ComposerProvider({ children }: { children: ReactNode }) {
    const [replyTo, setReplyTo] = useState<Message | null>(null);
    const value = useMemo(() => ({ replyTo, setReplyTo }), [replyTo]);
    return <ComposerContext.Provider value={value}>{children}</ComposerContext.Provider>;
}

export function useComposer(): ComposerState | null {
    return useContext(ComposerContext);
}
