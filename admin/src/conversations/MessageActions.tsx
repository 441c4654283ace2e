import AddReactionOutlinedIcon from '@mui/icons-material/AddReactionOutlined';
import ReplyIcon from '@mui/icons-material/Reply';
import { Box, IconButton, Popover, Tooltip } from '@mui/material';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslate } from 'react-admin';
import type { GetListResult, Identifier } from 'react-admin';
import { useCharlaDataProvider } from '../common/useCharlaDataProvider';
import { useErrorNotifier } from '../common/useErrorNotifier';
import { queryKeys } from '../realtime/queryKeys';
import type { Message, Reaction } from '../types';
import { useComposer } from './ComposerContext';

export const REACTION_EMOJI = ['👍', '❤️', '😂', '😮', '😢', '🙏'] as const;

/** Returns the reactions with ours replaced by `emoji` (or removed when `emoji` is empty). */
export function withOwnReaction(reactions: Reaction[] | null | undefined, emoji: string): Reaction[] {
    const others = (reactions ?? []).filter(reaction => reaction.by !== 'me');
    return emoji ? [...others, { by: 'me', emoji, at: new Date().toISOString() }] : others;
}

function patchThreadMessage(queryClient: QueryClient, conversationId: Identifier, id: Identifier, patch: (message: Message) => Message) {
    queryClient.setQueriesData<GetListResult<Message>>({ queryKey: queryKeys.thread(conversationId) }, result => {
        if (!result?.data.some(message => String(message.id) === String(id))) return result;
        return { ...result, data: result.data.map(message => (String(message.id) === String(id) ? patch(message) : message)) };
    });
}

/** Renders the reply and react buttons beside a bubble. They appear on hover or focus, and always on touch screens. */
export function MessageActions({ message }: { message: Message }) {
    const translate = useTranslate();
    const composer = useComposer();
    const dataProvider = useCharlaDataProvider();
    const queryClient = useQueryClient();
    const notifyError = useErrorNotifier();
    const [anchor, setAnchor] = useState<HTMLElement | null>(null);
    const [busy, setBusy] = useState(false);

    if (!composer || message.deletedAt || message.status === 'failed') return null;
    const current = (message.reactions ?? []).find(reaction => reaction.by === 'me')?.emoji ?? '';

    const react = async (emoji: string) => {
        const next = emoji === current ? '' : emoji;
        setAnchor(null);
        setBusy(true);
        try {
            await dataProvider.reply(message.conversationId, { type: 'reaction', messageId: String(message.id), emoji: next });
            patchThreadMessage(queryClient, message.conversationId, message.id, existing => ({
                ...existing,
                reactions: withOwnReaction(existing.reactions, next),
            }));
        } catch (error) {
            notifyError(error);
        } finally {
            setBusy(false);
        }
    };

    return (
        <Box
            className="message-actions"
            sx={{ display: 'flex', alignItems: 'center', alignSelf: 'center', opacity: anchor ? 1 : 0, transition: 'opacity 0.15s' }}
        >
            <Tooltip title={translate('charla.messages.actions.reply')}>
                <IconButton size="small" aria-label={translate('charla.messages.actions.reply')} onClick={() => composer.setReplyTo(message)}>
                    <ReplyIcon fontSize="small" />
                </IconButton>
            </Tooltip>
            <Tooltip title={translate('charla.messages.actions.react')}>
                <span>
                    <IconButton
                        size="small"
                        disabled={busy}
                        aria-label={translate('charla.messages.actions.react')}
                        aria-haspopup="true"
                        onClick={event => setAnchor(event.currentTarget)}
                    >
                        <AddReactionOutlinedIcon fontSize="small" />
                    </IconButton>
                </span>
            </Tooltip>
            <Popover
                open={!!anchor}
                anchorEl={anchor}
                onClose={() => setAnchor(null)}
                anchorOrigin={{ vertical: 'top', horizontal: 'center' }}
                transformOrigin={{ vertical: 'bottom', horizontal: 'center' }}
            >
                <Box role="group" aria-label={translate('charla.messages.actions.react')} sx={{ display: 'flex', p: 0.5 }}>
                    {REACTION_EMOJI.map(emoji => (
                        <IconButton
                            key={emoji}
                            onClick={() => void react(emoji)}
                            aria-label={emoji === current ? translate('charla.messages.actions.remove_reaction', { emoji }) : emoji}
                            aria-pressed={emoji === current}
                            sx={{ fontSize: 22, width: 40, height: 40, bgcolor: emoji === current ? 'action.selected' : undefined }}
                        >
                            {emoji}
                        </IconButton>
                    ))}
                </Box>
            </Popover>
        </Box>
    );
}
