import { Box, Card, CardContent, Grid, Stack, Typography } from '@mui/material';
import {
    DeleteButton,
    ListButton,
    ShowBase,
    TopToolbar,
    useCanAccess,
    useRecordContext,
    Title,
    useLocaleState,
    useTranslate,
} from 'react-admin';
import type { Session } from '../types';
import { BanRiskNotice } from './BanRiskNotice';
import { SessionLinkPanel } from './SessionLinkPanel';
import { SessionStatusChip } from './SessionStatusChip';

function SessionShowActions() {
    const { canAccess: canDelete } = useCanAccess({ resource: 'sessions', action: 'delete' });
    return (
        <TopToolbar>
            <ListButton />
            {canDelete && <DeleteButton mutationMode="pessimistic" confirmTitle="charla.sessions.delete_dialog.title" confirmContent="charla.sessions.delete_dialog.content" />}
        </TopToolbar>
    );
}

function Detail({ label, value }: { label: string; value: string | null | undefined }) {
    const translate = useTranslate();
    return (
        <Box>
            <Typography variant="caption" color="text.secondary">
                {translate(label)}
            </Typography>
            <Typography variant="body1">{value || '—'}</Typography>
        </Box>
    );
}

function SessionShowContent() {
    const session = useRecordContext<Session>();
    const translate = useTranslate();
    const [locale] = useLocaleState();
    if (!session) return null;
    return (
        <Stack spacing={2} sx={{ mt: 1, mb: 2, '& > *': { flexShrink: 0 } }}>
            <Title title={session.name} />
            <SessionShowActions />
            <Card>
                <CardContent>
                    <Stack direction="row" spacing={2} alignItems="center" sx={{ mb: 2, flexWrap: 'wrap' }}>
                        <Typography variant="h5" component="h1">
                            {session.name}
                        </Typography>
                        <SessionStatusChip status={session.status} size="medium" />
                        {session.isDefault && (
                            <Typography variant="body2" color="text.secondary">
                                {translate('charla.sessions.default')}
                            </Typography>
                        )}
                    </Stack>
                    <Grid container spacing={2}>
                        <Grid size={{ xs: 12, sm: 4 }}>
                            <Detail label="resources.sessions.fields.phoneNumber" value={session.phoneNumber} />
                        </Grid>
                        <Grid size={{ xs: 12, sm: 4 }}>
                            <Detail label="resources.sessions.fields.pushName" value={session.pushName} />
                        </Grid>
                        <Grid size={{ xs: 12, sm: 4 }}>
                            <Detail
                                label="resources.sessions.fields.createdAt"
                                value={session.createdAt ? new Date(session.createdAt).toLocaleString(locale) : null}
                            />
                        </Grid>
                    </Grid>
                </CardContent>
            </Card>
            <SessionLinkPanel session={session} />
            <BanRiskNotice />
        </Stack>
    );
}

/** Renders one WhatsApp connection: its live status, the QR while linking, and the fix for each failure. */
export function SessionShow() {
    return (
        <ShowBase>
            <SessionShowContent />
        </ShowBase>
    );
}
