import { Box, Typography } from '@mui/material';
import { useLocaleState, useTranslate } from 'react-admin';
import { errorMessageKey } from '../providers/apiError';
import type { Message, Reaction } from '../types';
import { DeliveryTicks } from './DeliveryTicks';
import { MessageActions } from './MessageActions';
import { MessageContent, messageSummary } from './MessageContent';

export function formatTime(timestamp: string, locale: string): string {
    const date = new Date(timestamp);
    if (Number.isNaN(date.getTime())) return '';
    return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(date);
}

/** Groups reactions by emoji, in the order each emoji first appeared. */
export function groupReactions(reactions: Reaction[] | null | undefined): { emoji: string; count: number; mine: boolean }[] {
    const groups = new Map<string, { emoji: string; count: number; mine: boolean }>();
    for (const reaction of reactions ?? []) {
        if (!reaction?.emoji) continue;
        const group = groups.get(reaction.emoji) ?? { emoji: reaction.emoji, count: 0, mine: false };
        group.count += 1;
        group.mine ||= reaction.by === 'me';
        groups.set(reaction.emoji, group);
    }
    return [...groups.values()];
}

/** Renders the small block above a reply with the text of the message it quotes. */
function QuoteBlock({ quoted, outbound }: { quoted: Message | null | undefined; outbound: boolean }) {
    const translate = useTranslate();
    // Our own messages carry no sender name, so only a customer's quote gets an author line.
    const author = quoted?.direction === 'in' ? quoted.senderName : null;
    return (
        <Box
            data-testid="message-quote"
            sx={{
                borderLeft: 3,
                borderColor: quoted?.direction === 'out' || (!quoted && !outbound) ? 'success.main' : 'primary.main',
                bgcolor: 'action.hover',
                borderRadius: 1,
                px: 1,
                py: 0.5,
                mb: 0.5,
            }}
        >
            {author && (
                <Typography variant="caption" color="primary" sx={{ display: 'block', fontWeight: 600 }}>
                    {author}
                </Typography>
            )}
            <Typography
                variant="caption"
                color="text.secondary"
                sx={{ display: '-webkit-box', WebkitLineClamp: 3, WebkitBoxOrient: 'vertical', overflow: 'hidden', fontStyle: quoted ? 'normal' : 'italic' }}
            >
                {quoted ? messageSummary(quoted, translate) : translate('charla.messages.quoted')}
            </Typography>
        </Box>
    );
}

/**
 * Renders one message: customer messages on the left, the business's on the right with delivery ticks.
 * `quoted` is the message it replies to when that one is loaded in the thread.
 */
export function MessageBubble({ message, quoted }: { message: Message; quoted?: Message | null }) {
    const translate = useTranslate();
    const [locale] = useLocaleState();
    const outbound = message.direction === 'out';
    const failed = message.status === 'failed';
    const reactions = message.deletedAt ? [] : groupReactions(message.reactions);
    return (
        <Box
            data-testid="message-bubble"
            data-direction={message.direction}
            data-status={message.status}
            data-type={message.type}
            sx={{
                display: 'flex',
                flexDirection: outbound ? 'row-reverse' : 'row',
                justifyContent: 'flex-start',
                px: 1,
                py: 0.25,
                '&:hover .message-actions, &:focus-within .message-actions': { opacity: 1 },
                '@media (hover: none)': { '& .message-actions': { opacity: 1 } },
            }}
        >
            <Box
                sx={theme => ({
                    maxWidth: { xs: '85%', md: '65%' },
                    px: 1.5,
                    py: 0.75,
                    borderRadius: 2,
                    borderTopRightRadius: outbound ? 4 : 16,
                    borderTopLeftRadius: outbound ? 16 : 4,
                    bgcolor: outbound
                        ? theme.palette.mode === 'dark'
                            ? '#005c4b'
                            : '#d9fdd3'
                        : theme.palette.mode === 'dark'
                          ? '#202c33'
                          : '#ffffff',
                    boxShadow: '0 1px 0.5px rgba(0,0,0,0.13)',
                    border: failed ? `1px solid ${theme.palette.error.main}` : 'none',
                })}
            >
                {!outbound && message.senderName && (
                    <Typography variant="caption" color="primary" sx={{ display: 'block', fontWeight: 600 }}>
                        {message.senderName}
                    </Typography>
                )}
                {message.quotedMessageId && !message.deletedAt && <QuoteBlock quoted={quoted} outbound={outbound} />}
                <MessageContent message={message} />
                <Box sx={{ display: 'flex', alignItems: 'center', justifyContent: 'flex-end', gap: 0.5, mt: 0.25 }}>
                    {Boolean(message.data?.automation) && (
                        <Typography variant="caption" color="text.secondary" data-testid="message-automated">
                            {translate('charla.messages.automated')}
                        </Typography>
                    )}
                    {message.editedAt && !message.deletedAt && (
                        <Typography variant="caption" color="text.secondary" data-testid="message-edited" sx={{ fontStyle: 'italic' }}>
                            {translate('charla.messages.edited')}
                        </Typography>
                    )}
                    <Typography variant="caption" color="text.secondary">
                        {formatTime(message.timestamp, locale)}
                    </Typography>
                    {outbound && <DeliveryTicks status={message.status} />}
                </Box>
                {failed && (
                    <Typography variant="caption" color="error" sx={{ display: 'block' }}>
                        {translate(message.error?.code ? errorMessageKey(message.error.code) : 'charla.messages.failed')}
                    </Typography>
                )}
                {reactions.length > 0 && (
                    <Box
                        role="list"
                        aria-label={translate('charla.messages.reactions')}
                        data-testid="message-reactions"
                        sx={{ display: 'flex', flexWrap: 'wrap', gap: 0.5, mt: 0.5, justifyContent: outbound ? 'flex-end' : 'flex-start' }}
                    >
                        {reactions.map(reaction => (
                            <Box
                                key={reaction.emoji}
                                role="listitem"
                                data-testid="reaction-chip"
                                data-emoji={reaction.emoji}
                                data-mine={reaction.mine ? 'true' : undefined}
                                sx={{
                                    display: 'inline-flex',
                                    alignItems: 'center',
                                    gap: 0.25,
                                    px: 0.75,
                                    borderRadius: 4,
                                    fontSize: 14,
                                    bgcolor: 'background.paper',
                                    border: 1,
                                    borderColor: reaction.mine ? 'primary.main' : 'divider',
                                }}
                            >
                                <span>{reaction.emoji}</span>
                                <Typography variant="caption">{reaction.count}</Typography>
                            </Box>
                        ))}
                    </Box>
                )}
            </Box>
            <MessageActions message={message} />
        </Box>
    );
}
