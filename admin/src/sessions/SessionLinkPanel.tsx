import { Alert, AlertTitle, Box, Card, CardContent, CircularProgress, Stack, Typography } from '@mui/material';
import { useTranslate } from 'react-admin';
import { useNow } from '../common/useNow';
import { useRole } from '../common/useRole';
import { errorMessageKey } from '../providers/apiError';
import type { Session, SessionStatus } from '../types';
import { PairingCodeButton } from './PairingCodeButton';
import { QrPanel } from './QrPanel';
import { ConnectButton, DisconnectButton } from './SessionActions';

type Severity = 'success' | 'info' | 'warning' | 'error';

const SEVERITY: Record<SessionStatus, Severity> = {
    connected: 'success',
    connecting: 'info',
    reconnecting: 'info',
    qr: 'info',
    disconnected: 'info',
    qr_expired: 'warning',
    logged_out: 'warning',
    replaced: 'warning',
    failed: 'error',
};

/** Statuses after which a person must connect again (and usually scan a new QR). */
const NEEDS_RECONNECT: readonly SessionStatus[] = ['disconnected', 'qr_expired', 'logged_out', 'replaced', 'failed'];

function StatusExplanation({ session }: { session: Session }) {
    const translate = useTranslate();
    const now = useNow(1000, session.status === 'reconnecting' && !!session.nextAttemptAt);
    const status = session.status;
    const nextIn = session.nextAttemptAt ? Math.max(0, Math.round((new Date(session.nextAttemptAt).getTime() - now) / 1000)) : null;
    const showLastError = !!session.lastError && status !== 'connected';
    return (
        <Alert severity={SEVERITY[status] ?? 'info'} data-testid="session-explanation">
            <AlertTitle>{translate(`charla.sessions.state.${status}.title`, { phone: session.phoneNumber ?? '', name: session.pushName ?? '' })}</AlertTitle>
            {translate(`charla.sessions.state.${status}.body`, {
                phone: session.phoneNumber ?? '',
                name: session.pushName ?? '',
            })}
            {status === 'reconnecting' && (
                <Typography variant="body2" sx={{ mt: 1 }}>
                    {translate('charla.sessions.reconnect_attempt', {
                        smart_count: session.reconnectAttempts ?? 1,
                        seconds: nextIn ?? 0,
                    })}
                </Typography>
            )}
            {showLastError && (
                <Typography variant="body2" sx={{ mt: 1 }} data-testid="session-last-error">
                    {translate('charla.sessions.last_error', { reason: translate(errorMessageKey(session.lastError?.code)) })}
                </Typography>
            )}
        </Alert>
    );
}

/**
 * Everything about linking one WhatsApp number: what the status means, the QR while linking, and
 * the one button that moves things forward. Agents see the status only.
 */
export function SessionLinkPanel({ session }: { session: Session }) {
    const translate = useTranslate();
    const { can } = useRole();
    const canLink = can('link', 'sessions');
    const canDisconnect = can('disconnect', 'sessions');
    const status = session.status;
    const linking = status === 'qr' || status === 'connecting';

    return (
        <Card variant="outlined">
            <CardContent>
                <Stack spacing={2}>
                    <StatusExplanation session={session} />
                    {canLink && linking && (
                        <>
                            {status === 'qr' ? (
                                <QrPanel sessionId={String(session.id)} />
                            ) : (
                                <Stack direction="row" spacing={2} alignItems="center" data-testid="session-connecting">
                                    <CircularProgress size={24} />
                                    <Typography>{translate('charla.sessions.qr.waiting')}</Typography>
                                </Stack>
                            )}
                        </>
                    )}
                    {!canLink && status !== 'connected' && (
                        <Typography variant="body2" color="text.secondary">
                            {translate('charla.sessions.ask_admin')}
                        </Typography>
                    )}
                    <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 1 }}>
                        {canLink && NEEDS_RECONNECT.includes(status) && (
                            <ConnectButton
                                session={session}
                                label={status === 'disconnected' ? 'charla.sessions.actions.connect' : 'charla.sessions.actions.connect_again'}
                            />
                        )}
                        {canLink && (linking || NEEDS_RECONNECT.includes(status)) && <PairingCodeButton session={session} />}
                        {canDisconnect && (status === 'connected' || status === 'reconnecting' || linking) && (
                            <DisconnectButton session={session} />
                        )}
                    </Box>
                </Stack>
            </CardContent>
        </Card>
    );
}
