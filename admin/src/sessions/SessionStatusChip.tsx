import CheckCircleIcon from '@mui/icons-material/CheckCircle';
import ErrorIcon from '@mui/icons-material/Error';
import HourglassTopIcon from '@mui/icons-material/HourglassTop';
import LinkOffIcon from '@mui/icons-material/LinkOff';
import QrCode2Icon from '@mui/icons-material/QrCode2';
import SyncIcon from '@mui/icons-material/Sync';
import TimerOffIcon from '@mui/icons-material/TimerOff';
import Chip, { type ChipProps } from '@mui/material/Chip';
import type { ReactElement } from 'react';
import { useRecordContext, useTranslate } from 'react-admin';
import type { Session, SessionStatus } from '../types';

type ChipColor = NonNullable<ChipProps['color']>;

/** Green only when connected; blue while working on it; orange when a person must act; red on failure. */
export const STATUS_COLORS: Record<SessionStatus, ChipColor> = {
    connected: 'success',
    connecting: 'info',
    reconnecting: 'info',
    qr: 'secondary',
    disconnected: 'default',
    qr_expired: 'warning',
    logged_out: 'warning',
    replaced: 'warning',
    failed: 'error',
};

const STATUS_ICONS: Record<SessionStatus, ReactElement> = {
    connected: <CheckCircleIcon />,
    connecting: <HourglassTopIcon />,
    reconnecting: <SyncIcon />,
    qr: <QrCode2Icon />,
    disconnected: <LinkOffIcon />,
    qr_expired: <TimerOffIcon />,
    logged_out: <LinkOffIcon />,
    replaced: <ErrorIcon />,
    failed: <ErrorIcon />,
};

export function statusColor(status: string | null | undefined): ChipColor {
    return STATUS_COLORS[status as SessionStatus] ?? 'default';
}

/** Renders a coloured chip with the translated status of a WhatsApp connection. */
export function SessionStatusChip({ status, size = 'small' }: { status?: SessionStatus | string | null; size?: ChipProps['size'] }) {
    const translate = useTranslate();
    const record = useRecordContext<Session>();
    const value = status ?? record?.status;
    if (!value) return null;
    const known = value in STATUS_COLORS;
    return (
        <Chip
            size={size}
            color={statusColor(value)}
            icon={known ? STATUS_ICONS[value as SessionStatus] : undefined}
            label={translate(known ? `charla.status.${value}` : 'charla.status.unknown')}
            data-status={value}
            data-color={statusColor(value)}
            variant={value === 'disconnected' ? 'outlined' : 'filled'}
        />
    );
}
