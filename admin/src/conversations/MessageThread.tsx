import { Alert, Box, Button, Chip, CircularProgress, Typography } from '@mui/material';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Fragment, useEffect, useRef, useState } from 'react';
import { useLocaleState, useTranslate } from 'react-admin';
import { useCharlaDataProvider } from '../common/useCharlaDataProvider';
import { errorMessageKey, errorCodeOf } from '../providers/apiError';
import { queryKeys } from '../realtime/queryKeys';
import type { Message } from '../types';
import { MessageBubble } from './MessageBubble';

export const THREAD_PAGE_SIZE = 50;

function dayOf(timestamp: string): string {
    return new Date(timestamp).toDateString();
}

function DaySeparator({ timestamp }: { timestamp: string }) {
    const [locale] = useLocaleState();
    const label = new Intl.DateTimeFormat(locale, { weekday: 'long', day: 'numeric', month: 'long' }).format(new Date(timestamp));
    return (
        <Box sx={{ display: 'flex', justifyContent: 'center', my: 1 }}>
            <Chip size="small" label={label} />
        </Box>
    );
}

/**
 * Renders the messages of one conversation, oldest at the top. The realtime feed writes new
 * messages and status changes straight into this query's cache.
 */
export function MessageThread({ conversationId }: { conversationId: string }) {
    const translate = useTranslate();
    const dataProvider = useCharlaDataProvider();
    const [limit, setLimit] = useState(THREAD_PAGE_SIZE);
    const { data, isPending, error } = useQuery({
        queryKey: queryKeys.threadPage(conversationId, limit),
        queryFn: () => dataProvider.getThread(conversationId, { limit }),
        placeholderData: keepPreviousData,
    });
    const scroller = useRef<HTMLDivElement>(null);
    const messages: Message[] = data?.data ?? [];
    const lastId = messages.length > 0 ? messages[messages.length - 1].id : undefined;

    useEffect(() => {
        const element = scroller.current;
        if (element) element.scrollTop = element.scrollHeight;
    }, [lastId]);

    if (isPending) {
        return (
            <Box sx={{ display: 'flex', justifyContent: 'center', p: 4, flex: 1 }}>
                <CircularProgress />
            </Box>
        );
    }
    if (error && !data) {
        return <Alert severity="error">{translate(errorMessageKey(errorCodeOf(error)))}</Alert>;
    }

    const hasOlder = (data?.total ?? 0) > messages.length;
    const byId = new Map<string, Message>();
    for (const message of messages) {
        byId.set(String(message.id), message);
        if (message.waMessageId) byId.set(message.waMessageId, message);
    }

    return (
        <Box
            ref={scroller}
            data-testid="message-thread"
            role="log"
            aria-live="polite"
            sx={theme => ({
                flex: 1,
                overflowY: 'auto',
                py: 1,
                bgcolor: theme.palette.mode === 'dark' ? '#0b141a' : '#efeae2',
                minHeight: 0,
            })}
        >
            {hasOlder && (
                <Box sx={{ display: 'flex', justifyContent: 'center', mb: 1 }}>
                    <Button size="small" onClick={() => setLimit(current => current + THREAD_PAGE_SIZE)}>
                        {translate('charla.conversations.thread.load_older')}
                    </Button>
                </Box>
            )}
            {messages.length === 0 && (
                <Typography color="text.secondary" align="center" sx={{ p: 4 }}>
                    {translate('charla.conversations.thread.empty')}
                </Typography>
            )}
            {messages.map((message, index) => (
                <Fragment key={message.id}>
                    {(index === 0 || dayOf(messages[index - 1].timestamp) !== dayOf(message.timestamp)) && (
                        <DaySeparator timestamp={message.timestamp} />
                    )}
                    <MessageBubble
                        message={message}
                        quoted={message.quotedMessageId ? byId.get(String(message.quotedMessageId)) : undefined}
                    />
                </Fragment>
            ))}
        </Box>
    );
}
