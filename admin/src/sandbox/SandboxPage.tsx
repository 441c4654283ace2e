import QrCodeScannerIcon from '@mui/icons-material/QrCodeScanner';
import SendIcon from '@mui/icons-material/Send';
import {
    Alert,
    Box,
    Button,
    Card,
    CardContent,
    Grid,
    List as MuiList,
    ListItem,
    ListItemText,
    MenuItem,
    Stack,
    TextField,
    Typography,
} from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Title, useGetList, useLocaleState, useNotify, useTranslate } from 'react-admin';
import { normalizePhone, validateE164 } from '../common/phone';
import { useCharlaDataProvider } from '../common/useCharlaDataProvider';
import { useErrorNotifier } from '../common/useErrorNotifier';
import { queryKeys } from '../realtime/queryKeys';
import { SessionStatusChip } from '../sessions/SessionStatusChip';
import { ConnectButton } from '../sessions/SessionActions';
import type { Session } from '../types';

export const SANDBOX_PATH = '/sandbox';

const INBOX_POLL_MS = 2000;

function useSessions() {
    return useGetList<Session>('sessions', { pagination: { page: 1, perPage: 100 }, sort: { field: 'name', order: 'ASC' } });
}

/** Renders a virtual phone that scans the QR code a connection shows, which links it in sandbox mode. */
function VirtualPhone() {
    const translate = useTranslate();
    const dataProvider = useCharlaDataProvider();
    const notify = useNotify();
    const notifyError = useErrorNotifier();
    const { data: sessions = [] } = useSessions();
    const [chosenId, setChosenId] = useState('');
    const [phoneNumber, setPhoneNumber] = useState('+573000000001');
    const [pushName, setPushName] = useState('Tienda Demo');
    const [scanning, setScanning] = useState(false);
    // Until someone picks a connection, the phone points at the first one that shows a QR code, so
    // scanning the code just displayed on the connection page takes a single click.
    const sessionId = chosenId || String(sessions.find(item => item.status === 'qr')?.id ?? '');
    const session = sessions.find(item => String(item.id) === sessionId);
    const { data: qr } = useQuery({
        queryKey: queryKeys.qr(sessionId),
        queryFn: () => dataProvider.getQr(sessionId),
        enabled: !!session && session.status === 'qr',
        retry: false,
        staleTime: Infinity,
    });
    const phoneError = validateE164(phoneNumber);

    const scan = async (event: FormEvent) => {
        event.preventDefault();
        if (!qr || phoneError) return;
        setScanning(true);
        setChosenId(sessionId);
        try {
            await dataProvider.sandboxScan(qr.qr, normalizePhone(phoneNumber), pushName.trim());
            notify('charla.sandbox.phone.scanned', { type: 'success' });
        } catch (error) {
            notifyError(error);
        } finally {
            setScanning(false);
        }
    };

    return (
        <Card sx={{ height: '100%' }}>
            <CardContent component="form" onSubmit={scan}>
                <Typography variant="h6" gutterBottom>
                    {translate('charla.sandbox.phone.title')}
                </Typography>
                <Typography variant="body2" color="text.secondary" paragraph>
                    {translate('charla.sandbox.phone.help')}
                </Typography>
                <Stack spacing={2}>
                    <TextField
                        select
                        label={translate('charla.sandbox.phone.session')}
                        value={sessionId}
                        onChange={event => setChosenId(event.target.value)}
                        slotProps={{ inputLabel: { shrink: !!sessionId } }}
                        fullWidth
                    >
                        {sessions.map(item => (
                            <MenuItem key={item.id} value={String(item.id)}>
                                {item.name}
                            </MenuItem>
                        ))}
                    </TextField>
                    {session && (
                        <Stack direction="row" spacing={1} alignItems="center">
                            <SessionStatusChip status={session.status} />
                            {session.status !== 'qr' && session.status !== 'connected' && session.status !== 'connecting' && (
                                <ConnectButton session={session} />
                            )}
                        </Stack>
                    )}
                    <TextField
                        label={translate('charla.sandbox.phone.phoneNumber')}
                        value={phoneNumber}
                        onChange={event => setPhoneNumber(event.target.value)}
                        error={!!phoneError}
                        helperText={translate(phoneError ?? 'charla.sandbox.phone_format')}
                        inputMode="tel"
                        fullWidth
                    />
                    <TextField
                        label={translate('charla.sandbox.phone.pushName')}
                        value={pushName}
                        onChange={event => setPushName(event.target.value)}
                        fullWidth
                    />
                    {session && session.status === 'qr' && !qr && (
                        <Alert severity="info">{translate('charla.sessions.qr.waiting')}</Alert>
                    )}
                    {session && session.status === 'connected' && (
                        <Alert severity="success">{translate('charla.sandbox.phone.already_linked', { phone: session.phoneNumber ?? '' })}</Alert>
                    )}
                    <Button
                        type="submit"
                        variant="contained"
                        startIcon={<QrCodeScannerIcon />}
                        disabled={!qr || !!phoneError || scanning || session?.status !== 'qr'}
                    >
                        {translate('charla.sandbox.phone.scan')}
                    </Button>
                </Stack>
            </CardContent>
        </Card>
    );
}

/** Renders a virtual customer that writes to a linked number and lists the replies it received. */
function VirtualContact() {
    const translate = useTranslate();
    const [locale] = useLocaleState();
    const dataProvider = useCharlaDataProvider();
    const notify = useNotify();
    const notifyError = useErrorNotifier();
    const { data: sessions = [] } = useSessions();
    const linked = sessions.filter(session => session.status === 'connected' && session.phoneNumber);
    const [from, setFrom] = useState('+573009999999');
    const [pushName, setPushName] = useState('Cliente Demo');
    const [to, setTo] = useState('');
    const [content, setContent] = useState('');
    const [sending, setSending] = useState(false);
    const fromError = validateE164(from);
    const target = to || linked[0]?.phoneNumber || '';

    const { data: inbox = [], error: inboxError } = useQuery({
        queryKey: ['sandbox', 'inbox', normalizePhone(from)],
        queryFn: () => dataProvider.sandboxInbox(normalizePhone(from)),
        enabled: !fromError && from.length > 1,
        refetchInterval: INBOX_POLL_MS,
        retry: false,
    });

    const send = async (event: FormEvent) => {
        event.preventDefault();
        if (fromError || !target || !content.trim()) return;
        setSending(true);
        try {
            await dataProvider.sandboxSend(normalizePhone(from), target, content.trim(), pushName.trim() || undefined);
            setContent('');
            notify('charla.sandbox.contact.sent', { type: 'success' });
        } catch (error) {
            notifyError(error);
        } finally {
            setSending(false);
        }
    };

    return (
        <Card sx={{ height: '100%' }}>
            <CardContent component="form" onSubmit={send}>
                <Typography variant="h6" gutterBottom>
                    {translate('charla.sandbox.contact.title')}
                </Typography>
                <Typography variant="body2" color="text.secondary" paragraph>
                    {translate('charla.sandbox.contact.help')}
                </Typography>
                <Stack spacing={2}>
                    <TextField
                        label={translate('charla.sandbox.contact.from')}
                        value={from}
                        onChange={event => setFrom(event.target.value)}
                        error={!!fromError}
                        helperText={translate(fromError ?? 'charla.sandbox.phone_format')}
                        inputMode="tel"
                        fullWidth
                    />
                    <TextField
                        label={translate('charla.sandbox.contact.pushName')}
                        value={pushName}
                        onChange={event => setPushName(event.target.value)}
                        fullWidth
                    />
                    <TextField
                        select
                        label={translate('charla.sandbox.contact.to')}
                        value={target}
                        onChange={event => setTo(event.target.value)}
                        slotProps={{ inputLabel: { shrink: !!target } }}
                        helperText={linked.length === 0 ? translate('charla.sandbox.contact.no_linked') : ' '}
                        fullWidth
                    >
                        {linked.map(session => (
                            <MenuItem key={session.id} value={session.phoneNumber ?? ''}>
                                {`${session.name} (${session.phoneNumber})`}
                            </MenuItem>
                        ))}
                    </TextField>
                    <TextField
                        label={translate('charla.sandbox.contact.content')}
                        value={content}
                        onChange={event => setContent(event.target.value)}
                        multiline
                        minRows={2}
                        fullWidth
                    />
                    <Button type="submit" variant="contained" startIcon={<SendIcon />} disabled={sending || !target || !content.trim() || !!fromError}>
                        {translate('charla.sandbox.contact.send')}
                    </Button>
                </Stack>
                <Typography variant="subtitle1" sx={{ mt: 3 }}>
                    {translate('charla.sandbox.contact.inbox')}
                </Typography>
                {inboxError ? (
                    <Alert severity="warning">{translate('charla.sandbox.contact.inbox_error')}</Alert>
                ) : inbox.length === 0 ? (
                    <Typography variant="body2" color="text.secondary">
                        {translate('charla.sandbox.contact.inbox_empty')}
                    </Typography>
                ) : (
                    <MuiList dense data-testid="sandbox-inbox">
                        {[...inbox].reverse().map(item => (
                            <ListItem key={item.waMessageId} divider>
                                <ListItemText
                                    primary={item.content ?? `[${item.type}]`}
                                    secondary={`${item.from} · ${new Date(item.timestamp).toLocaleTimeString(locale)} · ${translate(`charla.messages.status.${item.status}`, { _: item.status })}`}
                                />
                            </ListItem>
                        ))}
                    </MuiList>
                )}
            </CardContent>
        </Card>
    );
}

/** Renders the sandbox page, where people try Charla without a real phone. The menu shows it only in sandbox mode. */
export function SandboxPage() {
    const translate = useTranslate();
    return (
        <Box sx={{ mt: 1 }}>
            <Title title="charla.sandbox.title" />
            <Alert severity="info" sx={{ mb: 2 }}>
                {translate('charla.sandbox.intro')}
            </Alert>
            <Grid container spacing={2}>
                <Grid size={{ xs: 12, md: 6 }}>
                    <VirtualPhone />
                </Grid>
                <Grid size={{ xs: 12, md: 6 }}>
                    <VirtualContact />
                </Grid>
            </Grid>
        </Box>
    );
}
