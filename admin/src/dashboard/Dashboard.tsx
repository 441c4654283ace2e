import CallMadeIcon from '@mui/icons-material/CallMade';
import CallReceivedIcon from '@mui/icons-material/CallReceived';
import HourglassBottomIcon from '@mui/icons-material/HourglassBottom';
import { Box, Card, CardActionArea, CardContent, Grid, Skeleton, Stack, Typography } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, Title, useTranslate } from 'react-admin';
import { useCharlaDataProvider } from '../common/useCharlaDataProvider';
import { queryKeys } from '../realtime/queryKeys';
import { SessionStatusChip } from '../sessions/SessionStatusChip';
import { SESSION_STATUSES } from '../types';

function StatCard({ title, children, to }: { title: string; children: ReactNode; to?: string }) {
    const translate = useTranslate();
    const content = (
        <CardContent>
            <Typography variant="overline" color="text.secondary">
                {translate(title)}
            </Typography>
            {children}
        </CardContent>
    );
    return (
        <Card sx={{ height: '100%' }}>
            {to ? (
                <CardActionArea component={Link} to={to} sx={{ height: '100%' }}>
                    {content}
                </CardActionArea>
            ) : (
                content
            )}
        </Card>
    );
}

/** Renders the home page: connection statuses, conversations waiting for a reply, and today's message counts. */
export function Dashboard() {
    const translate = useTranslate();
    const dataProvider = useCharlaDataProvider();
    const { data } = useQuery({ queryKey: queryKeys.dashboard(), queryFn: () => dataProvider.getDashboard() });

    const byStatus = SESSION_STATUSES.filter(status => (data?.sessionsByStatus?.[status] ?? 0) > 0);
    return (
        <Box sx={{ mt: 2 }}>
            <Title title="charla.dashboard.title" />
            <Grid container spacing={2}>
                <Grid size={{ xs: 12, md: 4 }}>
                    <StatCard title="charla.dashboard.connections" to="/sessions">
                        {!data ? (
                            <Skeleton height={40} />
                        ) : byStatus.length === 0 ? (
                            <Typography variant="body2" sx={{ mt: 1 }}>
                                {translate('charla.dashboard.no_connections')}
                            </Typography>
                        ) : (
                            <Stack direction="row" spacing={1} useFlexGap flexWrap="wrap" sx={{ mt: 1 }} data-testid="sessions-by-status">
                                {byStatus.map(status => (
                                    <Stack key={status} direction="row" spacing={0.5} alignItems="center">
                                        <Typography variant="h5" component="span">
                                            {data.sessionsByStatus[status]}
                                        </Typography>
                                        <SessionStatusChip status={status} />
                                    </Stack>
                                ))}
                            </Stack>
                        )}
                    </StatCard>
                </Grid>
                <Grid size={{ xs: 12, sm: 6, md: 4 }}>
                    <StatCard title="charla.dashboard.waiting" to="/conversations">
                        <Stack direction="row" spacing={1} alignItems="center">
                            <HourglassBottomIcon color="warning" />
                            <Typography variant="h4" component="span" data-testid="waiting-count">
                                {data ? data.waitingConversations : '…'}
                            </Typography>
                        </Stack>
                        <Typography variant="body2" color="text.secondary">
                            {translate('charla.dashboard.waiting_help')}
                        </Typography>
                    </StatCard>
                </Grid>
                <Grid size={{ xs: 12, sm: 6, md: 4 }}>
                    <StatCard title="charla.dashboard.messages_today">
                        <Stack direction="row" spacing={3}>
                            <Stack direction="row" spacing={1} alignItems="center" title={translate('charla.dashboard.in')}>
                                <CallReceivedIcon color="success" />
                                <Typography variant="h4" component="span">
                                    {data ? data.messagesToday.in : '…'}
                                </Typography>
                                <Typography variant="body2">{translate('charla.dashboard.in')}</Typography>
                            </Stack>
                            <Stack direction="row" spacing={1} alignItems="center" title={translate('charla.dashboard.out')}>
                                <CallMadeIcon color="primary" />
                                <Typography variant="h4" component="span">
                                    {data ? data.messagesToday.out : '…'}
                                </Typography>
                                <Typography variant="body2">{translate('charla.dashboard.out')}</Typography>
                            </Stack>
                        </Stack>
                    </StatCard>
                </Grid>
            </Grid>
        </Box>
    );
}
