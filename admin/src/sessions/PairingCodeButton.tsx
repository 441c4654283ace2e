import DialpadIcon from '@mui/icons-material/Dialpad';
import { Alert, Box, Button, Dialog, DialogActions, DialogContent, DialogTitle, Stack, TextField, Typography } from '@mui/material';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNotify, useTranslate } from 'react-admin';
import { normalizePhone, validateE164 } from '../common/phone';
import { formatCountdown, secondsUntil, useNow } from '../common/useNow';
import { useCharlaDataProvider } from '../common/useCharlaDataProvider';
import { useErrorNotifier } from '../common/useErrorNotifier';
import { errorCodeOf, errorStatusOf } from '../providers/apiError';
import { queryKeys } from '../realtime/queryKeys';
import type { PairingCode, Session } from '../types';
import { LinkSteps } from './QrPanel';

/** `ABCD1234` → `ABCD-1234`, the way WhatsApp shows pairing codes. */
export function formatPairingCode(code: string): string {
    const clean = code.replace(/[^0-9A-Za-z]/g, '').toUpperCase();
    return clean.length === 8 ? `${clean.slice(0, 4)}-${clean.slice(4)}` : clean;
}

/**
 * Renders "Link with phone number", which requests a pairing code to type on the phone. Some servers
 * lack the route, so the button hides itself once the route responds 404 NOT_FOUND.
 */
export function PairingCodeButton({ session }: { session: Session }) {
    const translate = useTranslate();
    const dataProvider = useCharlaDataProvider();
    const queryClient = useQueryClient();
    const notify = useNotify();
    const notifyError = useErrorNotifier();
    const { data: supported = true } = useQuery({
        queryKey: queryKeys.pairingSupport(),
        // Keeps the result of an earlier 404 when react-admin refreshes every query.
        queryFn: () => queryClient.getQueryData<boolean>(queryKeys.pairingSupport()) ?? true,
        staleTime: Infinity,
        initialData: true,
    });
    const [open, setOpen] = useState(false);
    const [phone, setPhone] = useState(session.phoneNumber ?? '+');
    const [phoneError, setPhoneError] = useState<string | undefined>();
    const [loading, setLoading] = useState(false);
    const [pairing, setPairing] = useState<PairingCode | null>(null);
    const now = useNow(1000, !!pairing);

    if (!supported) return null;

    const submit = async (event: FormEvent) => {
        event.preventDefault();
        const problem = validateE164(phone) ?? (phone.trim() === '' ? 'ra.validation.required' : undefined);
        setPhoneError(problem);
        if (problem) return;
        setLoading(true);
        try {
            setPairing(await dataProvider.requestPairingCode(session.id, normalizePhone(phone)));
        } catch (error) {
            if (errorStatusOf(error) === 404 && errorCodeOf(error) === 'NOT_FOUND') {
                queryClient.setQueryData(queryKeys.pairingSupport(), false);
                notify('charla.sessions.pairing.not_available', { type: 'warning' });
                setOpen(false);
            } else {
                notifyError(error);
            }
        } finally {
            setLoading(false);
        }
    };

    const close = () => {
        setOpen(false);
        setPairing(null);
    };

    const secondsLeft = pairing ? secondsUntil(pairing.expiresAt, now) : 0;

    return (
        <>
            <Button variant="text" startIcon={<DialpadIcon />} onClick={() => setOpen(true)}>
                {translate('charla.sessions.actions.pairing')}
            </Button>
            <Dialog open={open} onClose={close} fullWidth maxWidth="xs">
                <form onSubmit={submit} noValidate>
                    <DialogTitle>{translate('charla.sessions.pairing.title')}</DialogTitle>
                    <DialogContent>
                        {pairing ? (
                            <Stack spacing={2} alignItems="center">
                                <Typography
                                    variant="h4"
                                    component="p"
                                    sx={{ fontFamily: 'monospace', letterSpacing: 4 }}
                                    data-testid="pairing-code"
                                >
                                    {formatPairingCode(pairing.code)}
                                </Typography>
                                {secondsLeft > 0 ? (
                                    <Typography variant="body2" color="text.secondary">
                                        {translate('charla.sessions.qr.expires_in', { time: formatCountdown(secondsLeft) })}
                                    </Typography>
                                ) : (
                                    <Alert severity="warning">{translate('charla.sessions.pairing.expired')}</Alert>
                                )}
                                <Box sx={{ alignSelf: 'stretch' }}>
                                    <LinkSteps variant="pairing" />
                                </Box>
                            </Stack>
                        ) : (
                            <Stack spacing={2} sx={{ pt: 1 }}>
                                <Typography variant="body2">{translate('charla.sessions.pairing.intro')}</Typography>
                                <TextField
                                    autoFocus
                                    label={translate('charla.sessions.pairing.phone_label')}
                                    helperText={translate(phoneError ?? 'charla.sessions.pairing.phone_help')}
                                    error={!!phoneError}
                                    value={phone}
                                    onChange={event => setPhone(event.target.value)}
                                    inputMode="tel"
                                    autoComplete="tel"
                                    fullWidth
                                />
                            </Stack>
                        )}
                    </DialogContent>
                    <DialogActions>
                        <Button onClick={close}>{translate(pairing ? 'ra.action.close' : 'ra.action.cancel')}</Button>
                        {(!pairing || secondsLeft <= 0) && (
                            <Button type="submit" variant="contained" disabled={loading}>
                                {translate('charla.sessions.pairing.request')}
                            </Button>
                        )}
                    </DialogActions>
                </form>
            </Dialog>
        </>
    );
}
