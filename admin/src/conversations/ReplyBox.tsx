import CloseIcon from '@mui/icons-material/Close';
import LocationOnOutlinedIcon from '@mui/icons-material/LocationOnOutlined';
import SendIcon from '@mui/icons-material/Send';
import { Box, IconButton, TextField, Tooltip, Typography } from '@mui/material';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type KeyboardEvent } from 'react';
import { useTranslate } from 'react-admin';
import { useCharlaDataProvider } from '../common/useCharlaDataProvider';
import { useErrorNotifier } from '../common/useErrorNotifier';
import { upsertThreadMessage } from '../realtime/cacheUpdates';
import type { Conversation, Message, OutgoingMessage } from '../types';
import { useComposer } from './ComposerContext';
import { LocationDialog, type LocationInput } from './LocationDialog';
import { messageSummary } from './MessageContent';

export const MAX_MESSAGE_LENGTH = 4096;

/** Renders the "replying to" bar above the text field, with a button that cancels the reply. */
function ReplyingTo({ message, onCancel }: { message: Message; onCancel: () => void }) {
    const translate = useTranslate();
    const heading =
        message.direction === 'out'
            ? translate('charla.conversations.reply.replying_to_self')
            : `${translate('charla.conversations.reply.replying_to')} ${message.senderName ?? ''}`.trim();
    return (
        <Box
            data-testid="replying-to"
            sx={{ display: 'flex', alignItems: 'center', gap: 1, px: 1.5, py: 0.5, borderTop: 1, borderColor: 'divider', bgcolor: 'action.hover' }}
        >
            <Box sx={{ flex: 1, minWidth: 0, borderLeft: 3, borderColor: 'primary.main', pl: 1 }}>
                <Typography variant="caption" color="primary" sx={{ display: 'block', fontWeight: 600 }}>
                    {heading}
                </Typography>
                <Typography variant="body2" color="text.secondary" noWrap>
                    {messageSummary(message, translate)}
                </Typography>
            </Box>
            <Tooltip title={translate('charla.conversations.reply.cancel_reply')}>
                <IconButton size="small" onClick={onCancel} aria-label={translate('charla.conversations.reply.cancel_reply')}>
                    <CloseIcon fontSize="small" />
                </IconButton>
            </Tooltip>
        </Box>
    );
}

/**
 * Renders the reply box. Enter sends, and Shift+Enter starts a new line. Inside a ComposerProvider it
 * also shows the message being replied to and a button that sends a location.
 */
export function ReplyBox({ conversation }: { conversation: Pick<Conversation, 'id' | 'sessionId'> }) {
    const translate = useTranslate();
    const dataProvider = useCharlaDataProvider();
    const queryClient = useQueryClient();
    const notifyError = useErrorNotifier();
    const composer = useComposer();
    const replyTo = composer?.replyTo && String(composer.replyTo.conversationId) === String(conversation.id) ? composer.replyTo : null;
    const [content, setContent] = useState('');
    const [sending, setSending] = useState(false);
    const [locationOpen, setLocationOpen] = useState(false);

    /** Sends `body`, then shows it at once as `local` describes it. The realtime feed then updates its ticks. */
    const deliver = async (body: string | OutgoingMessage, local: Pick<Message, 'type' | 'content'> & Partial<Message>): Promise<boolean> => {
        setSending(true);
        try {
            const result = await dataProvider.reply(conversation.id, body);
            const message: Message = {
                id: result.id,
                sessionId: conversation.sessionId,
                conversationId: String(conversation.id),
                waMessageId: result.waMessageId,
                direction: 'out',
                status: result.status,
                error: null,
                timestamp: new Date().toISOString(),
                ...(replyTo ? { quotedMessageId: String(replyTo.id) } : {}),
                ...local,
            };
            upsertThreadMessage(queryClient, conversation.id, message, { keepExisting: true });
            composer?.setReplyTo(null);
            return true;
        } catch (error) {
            notifyError(error);
            return false;
        } finally {
            setSending(false);
        }
    };

    const send = async () => {
        const text = content.trim();
        if (!text || sending) return;
        // A plain reply keeps the string form, and a quoting reply needs the object form.
        const body: string | OutgoingMessage = replyTo ? { content: text, replyTo: String(replyTo.id) } : text;
        if (await deliver(body, { type: 'text', content: text })) setContent('');
    };

    const sendLocation = async (location: LocationInput) => {
        if (sending) return;
        const body: OutgoingMessage = { type: 'location', ...location, ...(replyTo ? { replyTo: String(replyTo.id) } : {}) };
        const sent = await deliver(body, { type: 'location', content: location.name ?? null, data: { ...location } });
        if (sent) setLocationOpen(false);
    };

    const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
        if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
            event.preventDefault();
            void send();
        } else if (event.key === 'Escape' && replyTo) {
            composer?.setReplyTo(null);
        }
    };

    const tooLong = content.length > MAX_MESSAGE_LENGTH;

    return (
        <Box>
            {replyTo && <ReplyingTo message={replyTo} onCancel={() => composer?.setReplyTo(null)} />}
            <Box
                component="form"
                onSubmit={event => {
                    event.preventDefault();
                    void send();
                }}
                sx={{ display: 'flex', alignItems: 'flex-end', gap: 1, p: 1, borderTop: 1, borderColor: 'divider', bgcolor: 'background.paper' }}
            >
                {composer && (
                    <Tooltip title={translate('charla.conversations.reply.location.open')}>
                        <span>
                            <IconButton
                                onClick={() => setLocationOpen(true)}
                                disabled={sending}
                                aria-label={translate('charla.conversations.reply.location.open')}
                            >
                                <LocationOnOutlinedIcon />
                            </IconButton>
                        </span>
                    </Tooltip>
                )}
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
            {composer && (
                <LocationDialog open={locationOpen} onClose={() => setLocationOpen(false)} onSend={location => void sendLocation(location)} sending={sending} />
            )}
        </Box>
    );
}
