import ArrowBackIcon from '@mui/icons-material/ArrowBack';
import { Avatar, Box, Card, IconButton, Stack, Tooltip, Typography } from '@mui/material';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect } from 'react';
import {
    Link,
    ReferenceField,
    ShowBase,
    TextField,
    Title,
    useRecordContext,
    useRedirect,
    useTranslate,
} from 'react-admin';
import { useCharlaDataProvider } from '../common/useCharlaDataProvider';
import { patchRecord } from '../realtime/cacheUpdates';
import { useRealtimeEvent } from '../realtime/RealtimeProvider';
import type { Conversation } from '../types';
import { ComposerProvider } from './ComposerContext';
import { conversationLabel } from './contactLabel';
import { MessageThread } from './MessageThread';
import { ReplyBox } from './ReplyBox';
import { ConversationAutomationSwitch } from '../automation/ConversationAutomationSwitch';

/** Marks the conversation read now and again whenever the customer writes while it is on screen. */
function useMarkRead(conversation: Conversation | undefined) {
    const dataProvider = useCharlaDataProvider();
    const queryClient = useQueryClient();
    const id = conversation?.id;

    const markRead = useCallback(() => {
        if (!id) return;
        patchRecord<Conversation>(queryClient, 'conversations', id, current => ({ ...current, unreadCount: 0 }));
        dataProvider.markConversationRead(id).catch(() => {
            // Not worth a notification: the unread badge comes back on the next refresh.
        });
    }, [id, dataProvider, queryClient]);

    useEffect(() => {
        markRead();
    }, [markRead]);

    useRealtimeEvent('message.created', event => {
        if (String(event.conversationId) === String(id) && event.message.direction === 'in' && !document.hidden) {
            markRead();
        }
    });

    useEffect(() => {
        const onVisible = () => {
            if (!document.hidden && (conversation?.unreadCount ?? 0) > 0) markRead();
        };
        document.addEventListener('visibilitychange', onVisible);
        return () => document.removeEventListener('visibilitychange', onVisible);
    }, [markRead, conversation?.unreadCount]);
}

function ConversationView() {
    const conversation = useRecordContext<Conversation>();
    const translate = useTranslate();
    const redirect = useRedirect();
    useMarkRead(conversation);

    useRealtimeEvent('conversation.merged', event => {
        if (conversation && String(event.from) === String(conversation.id)) {
            redirect('show', 'conversations', event.into);
        }
    });

    if (!conversation) return null;
    const name = conversationLabel(conversation);

    return (
        <Card
            sx={{
                mt: { xs: 0, sm: 1 },
                display: 'flex',
                flexDirection: 'column',
                height: { xs: 'calc(100dvh - 56px)', sm: 'calc(100dvh - 96px)' },
                minHeight: 360,
            }}
        >
            <Title title={name} />
            <Stack direction="row" spacing={1.5} alignItems="center" sx={{ p: 1, borderBottom: 1, borderColor: 'divider' }}>
                <Tooltip title={translate('ra.action.back')}>
                    <IconButton component={Link} to="/conversations" aria-label={translate('ra.action.back')}>
                        <ArrowBackIcon />
                    </IconButton>
                </Tooltip>
                <Avatar>{name.charAt(0).toUpperCase()}</Avatar>
                <Box sx={{ minWidth: 0, flex: 1 }}>
                    <Typography variant="subtitle1" noWrap component="h1">
                        {conversation.contact?.id ? (
                            <Link to={`/contacts/${conversation.contact.id}/show`}>{name}</Link>
                        ) : (
                            name
                        )}
                    </Typography>
                    <Typography variant="body2" color="text.secondary" noWrap>
                        {conversation.contact?.phoneNumber}
                        {' · '}
                        {translate('charla.conversations.via')}{' '}
                        <ReferenceField source="sessionId" reference="sessions" link="show">
                            <TextField source="name" />
                        </ReferenceField>
                    </Typography>
                </Box>
                <ConversationAutomationSwitch conversationId={String(conversation.id)} />
            </Stack>
            <ComposerProvider key={String(conversation.id)}>
                <MessageThread conversationId={String(conversation.id)} />
                <ReplyBox conversation={conversation} />
            </ComposerProvider>
        </Card>
    );
}

/** Renders a conversation as a chat with the thread, live ticks and a reply box. Opening it marks it read. */
export function ConversationShow() {
    return (
        <ShowBase>
            <ConversationView />
        </ShowBase>
    );
}
