import RefreshIcon from '@mui/icons-material/Refresh';
import { Alert, Box, Button, CircularProgress, LinearProgress, Stack, Typography } from '@mui/material';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslate } from 'react-admin';
import { formatCountdown, secondsUntil, useNow } from '../common/useNow';
import { useCharlaDataProvider } from '../common/useCharlaDataProvider';
import { useErrorNotifier } from '../common/useErrorNotifier';
import { errorCodeOf } from '../providers/apiError';
import { queryKeys } from '../realtime/queryKeys';
import type { QrInfo } from '../types';

const QR_SIZE = 264;

/** Renders the phone steps to link a device, with the menu names WhatsApp uses. */
export function LinkSteps({ variant = 'qr' }: { variant?: 'qr' | 'pairing' }) {
    const translate = useTranslate();
    const steps =
        variant === 'qr'
            ? ['step_open', 'step_settings', 'step_linked', 'step_link_qr']
            : ['step_open', 'step_settings', 'step_linked', 'step_link_phone'];
    return (
        <Box component="ol" sx={{ m: 0, pl: 3, '& li': { mb: 0.5 } }}>
            {steps.map(step => (
                <Typography component="li" variant="body2" key={step}>
                    {translate(`charla.sessions.link.${step}`)}
                </Typography>
            ))}
        </Box>
    );
}

/** Draws a QR code with its countdown. Once the code expired, it dims the code and offers a new one. */
export function QrCodeView({ qr, now, onRenew, renewing }: { qr: QrInfo; now: number; onRenew?: () => void; renewing?: boolean }) {
    const translate = useTranslate();
    const secondsLeft = secondsUntil(qr.expiresAt, now);
    const expired = secondsLeft <= 0;
    return (
        <Stack alignItems="center" spacing={1}>
            <Box sx={{ position: 'relative', width: QR_SIZE, height: QR_SIZE, bgcolor: '#fff', borderRadius: 1, p: 1 }}>
                <img
                    key={qr.qr}
                    src={qr.qrDataUrl}
                    alt={translate('charla.sessions.qr.alt')}
                    data-testid="qr-image"
                    width={QR_SIZE - 16}
                    height={QR_SIZE - 16}
                    style={{ display: 'block', opacity: expired ? 0.15 : 1 }}
                />
                {expired && (
                    <Stack
                        data-testid="qr-expired"
                        sx={{ position: 'absolute', inset: 0 }}
                        alignItems="center"
                        justifyContent="center"
                        spacing={1}
                    >
                        <Typography variant="subtitle1" align="center" sx={{ px: 2 }}>
                            {translate('charla.sessions.qr.expired')}
                        </Typography>
                        {onRenew && (
                            <Button variant="contained" onClick={onRenew} disabled={renewing} startIcon={<RefreshIcon />}>
                                {translate('charla.sessions.qr.renew')}
                            </Button>
                        )}
                    </Stack>
                )}
            </Box>
            {!expired && (
                <Typography variant="body2" color="text.secondary" data-testid="qr-countdown" aria-live="polite">
                    {translate('charla.sessions.qr.expires_in', { time: formatCountdown(secondsLeft) })}
                </Typography>
            )}
        </Stack>
    );
}

/**
 * Renders the QR code of a session being linked. It reads the code from the cache, where the
 * realtime feed writes every `session.qr` event, and calls `GET /sessions/:id/qr` only when none is there yet.
 */
export function QrPanel({ sessionId }: { sessionId: string }) {
    const translate = useTranslate();
    const dataProvider = useCharlaDataProvider();
    const queryClient = useQueryClient();
    const notifyError = useErrorNotifier();
    const [renewing, setRenewing] = useState(false);
    const { data: qr, error, isPending } = useQuery({
        queryKey: queryKeys.qr(sessionId),
        queryFn: () => dataProvider.getQr(sessionId),
        retry: false,
        staleTime: Infinity,
        refetchOnWindowFocus: false,
    });
    const now = useNow(1000, !!qr);

    const renew = async () => {
        setRenewing(true);
        try {
            await dataProvider.connectSession(sessionId);
            await queryClient.invalidateQueries({ queryKey: queryKeys.qr(sessionId), exact: true });
        } catch (renewError) {
            notifyError(renewError);
        } finally {
            setRenewing(false);
        }
    };

    const code = errorCodeOf(error);

    return (
        <Stack direction={{ xs: 'column', md: 'row' }} spacing={3} alignItems={{ xs: 'stretch', md: 'flex-start' }}>
            <Box sx={{ display: 'flex', justifyContent: 'center', minWidth: QR_SIZE }}>
                {qr ? (
                    <QrCodeView qr={qr} now={now} onRenew={renew} renewing={renewing} />
                ) : code === 'QR_EXPIRED' ? (
                    <Stack spacing={1} alignItems="center" data-testid="qr-expired">
                        <Alert severity="warning">{translate('charla.sessions.qr.expired')}</Alert>
                        <Button variant="contained" onClick={renew} disabled={renewing} startIcon={<RefreshIcon />}>
                            {translate('charla.sessions.qr.renew')}
                        </Button>
                    </Stack>
                ) : (
                    <Stack
                        alignItems="center"
                        justifyContent="center"
                        spacing={2}
                        sx={{ width: QR_SIZE, height: QR_SIZE }}
                        data-testid="qr-waiting"
                    >
                        <CircularProgress />
                        <Typography variant="body2" color="text.secondary" align="center">
                            {translate(isPending ? 'charla.sessions.qr.loading' : 'charla.sessions.qr.waiting')}
                        </Typography>
                    </Stack>
                )}
            </Box>
            <Box sx={{ flex: 1 }}>
                <Typography variant="h6" gutterBottom>
                    {translate('charla.sessions.qr.title')}
                </Typography>
                <LinkSteps />
                {qr && <LinearProgress sx={{ mt: 2, visibility: renewing ? 'visible' : 'hidden' }} />}
            </Box>
        </Stack>
    );
}
