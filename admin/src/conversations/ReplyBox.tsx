import SendIcon from '@mui/icons-material/Send';
import { Box, IconButton, TextField, Tooltip } from '@mui/material';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type KeyboardEvent } from 'react';
import { useTranslate } from 'react-admin';
import { useCharlaDataProvider } from '../common/useCharlaDataProvider';
import { useErrorNotifier } from '../common/useErrorNotifier';
import { upsertThreadMessage } from '../realtime/cacheUpdates';
import type { Conversation, Message } from '../types';

export const MAX_MESSAGE_LENGTH = 4096;

/** Renders the reply box. Enter sends, and Shift+Enter starts a new line. */
export function ReplyBox({ conversation }: { conversation: Pick<Conversation, 'id' | 'sessionId'> }) {
    const translate = useTranslate();
    const dataProvider = useCharlaDataProvider();
    const queryClient = useQueryClient();
    const notifyError = useErrorNotifier();
    const [content, setContent] = useState('');
    const [sending, setSending] = useState(false);

    const send = async () => {
        const text = content.trim();
        if (!text || sending) return;
        setSending(true);
        try {
            const result = await dataProvider.reply(conversation.id, text);
            // Show the message at once. The realtime feed then updates its ticks.
            const message: Message = {
                id: result.id,
                sessionId: conversation.sessionId,
                conversationId: String(conversation.id),
                waMessageId: result.waMessageId,
                direction: 'out',
                type: 'text',
                content: text,
                status: result.status,
                error: null,
                timestamp: new Date().toISOString(),
            };
            upsertThreadMessage(queryClient, conversation.id, message, { keepExisting: true });
            setContent('');
        } catch (error) {
            notifyError(error);
        } finally {
            setSending(false);
        }
    };

    const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
        if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
            event.preventDefault();
            void send();
        }
    };

    const tooLong = content.length > MAX_MESSAGE_LENGTH;

    return (
        <Box
            component="form"
            onSubmit={event => {
                event.preventDefault();
                void send();
            }}
            sx={{ display: 'flex', alignItems: 'flex-end', gap: 1, p: 1, borderTop: 1, borderColor: 'divider', bgcolor: 'background.paper' }}
        >
            <TextField
                value={content}
                onChange={event => setContent(event.target.value)}
                onKeyDown={onKeyDown}
                placeholder={translate('charla.conversations.reply.placeholder')}
                helperText={tooLong ? translate('charla.errors.MESSAGE_TOO_LONG') : translate('charla.conversations.reply.hint')}
                error={tooLong}
                multiline
                maxRows={6}
                fullWidth
                size="small"
                slotProps={{ htmlInput: { 'aria-label': translate('charla.conversations.reply.placeholder') } }}
            />
            <Tooltip title={translate('charla.conversations.reply.send')}>
                <span>
                    <IconButton
                        type="submit"
                        color="primary"
                        disabled={sending || !content.trim() || tooLong}
                        aria-label={translate('charla.conversations.reply.send')}
                    >
                        <SendIcon />
                    </IconButton>
                </span>
            </Tooltip>
        </Box>
    );
}
