import LinkIcon from '@mui/icons-material/Link';
import LinkOffIcon from '@mui/icons-material/LinkOff';
import { Button } from '@mui/material';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Confirm, useNotify, useTranslate } from 'react-admin';
import { useCharlaDataProvider } from '../common/useCharlaDataProvider';
import { useErrorNotifier } from '../common/useErrorNotifier';
import { patchRecord } from '../realtime/cacheUpdates';
import { queryKeys } from '../realtime/queryKeys';
import type { Session } from '../types';

/** Asks the server to open the session; the QR and the status then arrive over the realtime feed. */
export function ConnectButton({ session, label = 'charla.sessions.actions.connect' }: { session: Session; label?: string }) {
    const translate = useTranslate();
    const dataProvider = useCharlaDataProvider();
    const queryClient = useQueryClient();
    const notifyError = useErrorNotifier();
    const [loading, setLoading] = useState(false);

    const connect = async () => {
        setLoading(true);
        try {
            queryClient.removeQueries({ queryKey: queryKeys.qr(session.id), exact: true });
            const updated = await dataProvider.connectSession(session.id);
            patchRecord<Session>(queryClient, 'sessions', session.id, current => ({
                ...current,
                ...(updated ?? {}),
                status: updated?.status ?? 'connecting',
            }));
        } catch (error) {
            notifyError(error);
        } finally {
            setLoading(false);
        }
    };

    return (
        <Button variant="contained" color="primary" startIcon={<LinkIcon />} onClick={connect} disabled={loading}>
            {translate(label)}
        </Button>
    );
}

/** Logs the linked device out after a confirmation. */
export function DisconnectButton({ session }: { session: Session }) {
    const translate = useTranslate();
    const dataProvider = useCharlaDataProvider();
    const queryClient = useQueryClient();
    const notify = useNotify();
    const notifyError = useErrorNotifier();
    const [open, setOpen] = useState(false);
    const [loading, setLoading] = useState(false);

    const disconnect = async () => {
        setLoading(true);
        try {
            const updated = await dataProvider.disconnectSession(session.id);
            patchRecord<Session>(queryClient, 'sessions', session.id, current => ({
                ...current,
                ...(updated ?? {}),
                status: updated?.status ?? 'disconnected',
            }));
            notify('charla.sessions.notifications.disconnected', { type: 'info' });
        } catch (error) {
            notifyError(error);
        } finally {
            setLoading(false);
            setOpen(false);
        }
    };

    return (
        <>
            <Button variant="outlined" color="error" startIcon={<LinkOffIcon />} onClick={() => setOpen(true)}>
                {translate('charla.sessions.actions.disconnect')}
            </Button>
            <Confirm
                isOpen={open}
                loading={loading}
                title="charla.sessions.disconnect_dialog.title"
                content="charla.sessions.disconnect_dialog.content"
                translateOptions={{ name: session.name }}
                confirm="charla.sessions.actions.disconnect"
                confirmColor="warning"
                onConfirm={disconnect}
                onClose={() => setOpen(false)}
            />
        </>
    );
}
