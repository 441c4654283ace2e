import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useGetList, useNotify, useTranslate } from 'react-admin';
import { conversationLabel } from '../conversations/contactLabel';
import { findCachedRecord } from '../realtime/cacheUpdates';
import { useRealtimeEvent } from '../realtime/RealtimeProvider';
import type { Conversation, Session, SessionStatus } from '../types';
import { playChime } from './sound';
import { browserNotificationsSupported, useNotificationPreference } from './useNotificationPreference';

function showBrowserNotification(title: string, body: string, tag: string, onClick?: () => void): void {
    if (!browserNotificationsSupported() || Notification.permission !== 'granted') return;
    try {
        const notification = new Notification(title, { body, tag });
        notification.onclick = () => {
            window.focus();
            onClick?.();
            notification.close();
        };
    } catch {
        // Some mobile browsers only allow notifications from a service worker; the in-app alert remains.
    }
}

/**
 * Raises two alerts. A customer message while the tab is hidden plays a sound and shows a browser
 * notification when the user turned alerts on. A connection that leaves `connected` always shows an
 * in-panel warning, plus the sound and notification when alerts are on.
 */
export function LiveAlerts() {
    const translate = useTranslate();
    const notify = useNotify();
    const queryClient = useQueryClient();
    const [enabled] = useNotificationPreference();
    const lastStatus = useRef(new Map<string, SessionStatus>());
    const { data: sessions } = useGetList<Session>('sessions', {
        pagination: { page: 1, perPage: 100 },
        sort: { field: 'createdAt', order: 'ASC' },
    });

    useEffect(() => {
        for (const session of sessions ?? []) {
            if (!lastStatus.current.has(String(session.id))) lastStatus.current.set(String(session.id), session.status);
        }
    }, [sessions]);

    useRealtimeEvent('message.created', event => {
        if (event.message.direction !== 'in' || !enabled || !document.hidden) return;
        playChime();
        const conversation = findCachedRecord<Conversation>(queryClient, 'conversations', event.conversationId);
        const sender = conversation
            ? conversationLabel(conversation)
            : event.message.senderName || translate('charla.notifications.customer');
        showBrowserNotification(
            translate('charla.notifications.new_message_title', { name: sender }),
            event.message.content ?? translate('charla.messages.unsupported', { type: event.message.type }),
            `conversation-${event.conversationId}`,
            () => window.location.assign(`${import.meta.env.BASE_URL}#/conversations/${event.conversationId}/show`)
        );
    });

    useRealtimeEvent('session.status', event => {
        const id = String(event.sessionId);
        const previous = lastStatus.current.get(id);
        lastStatus.current.set(id, event.status);
        if (previous !== 'connected' || event.status === 'connected') return;
        const session = sessions?.find(item => String(item.id) === id);
        const name = session?.name ?? event.phoneNumber ?? '';
        const status = translate(`charla.status.${event.status}`);
        notify('charla.notifications.session_left', { type: 'warning', messageArgs: { name, status }, autoHideDuration: 10000 });
        if (enabled) {
            playChime();
            if (document.hidden) {
                showBrowserNotification(
                    translate('charla.notifications.session_left_title'),
                    translate('charla.notifications.session_left', { name, status }),
                    `session-${id}`
                );
            }
        }
    });

    return null;
}
