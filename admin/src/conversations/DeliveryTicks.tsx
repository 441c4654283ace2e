import AccessTimeIcon from '@mui/icons-material/AccessTime';
import DoneAllIcon from '@mui/icons-material/DoneAll';
import DoneIcon from '@mui/icons-material/Done';
import ErrorOutlineIcon from '@mui/icons-material/ErrorOutline';
import { Box } from '@mui/material';
import type { ReactElement } from 'react';
import { useTranslate } from 'react-admin';
import type { MessageStatus } from '../types';

export const READ_BLUE = '#34b7f1';

type Tick = 'clock' | 'single' | 'double' | 'double-blue' | 'failed';

/** Returns the mark WhatsApp shows for an outbound status. */
export function tickFor(status: MessageStatus | string): Tick | null {
    switch (status) {
        case 'queued':
        case 'pending':
            return 'clock';
        case 'sent':
            return 'single';
        case 'delivered':
            return 'double';
        case 'read':
        case 'played':
            return 'double-blue';
        case 'failed':
            return 'failed';
        default:
            return null;
    }
}

const ICONS: Record<Tick, ReactElement> = {
    clock: <AccessTimeIcon sx={{ fontSize: 14 }} />,
    single: <DoneIcon sx={{ fontSize: 16 }} />,
    double: <DoneAllIcon sx={{ fontSize: 16 }} />,
    'double-blue': <DoneAllIcon sx={{ fontSize: 16 }} />,
    failed: <ErrorOutlineIcon sx={{ fontSize: 16 }} />,
};

const COLORS: Record<Tick, string> = {
    clock: 'text.secondary',
    single: 'text.secondary',
    double: 'text.secondary',
    'double-blue': READ_BLUE,
    failed: 'error.main',
};

/** Renders ✓ for sent, ✓✓ for delivered, blue ✓✓ for read, a clock while queued and a red mark on failure. */
export function DeliveryTicks({ status }: { status: MessageStatus | string }) {
    const translate = useTranslate();
    const tick = tickFor(status);
    if (!tick) return null;
    const label = translate(`charla.messages.status.${status}`);
    return (
        <Box
            component="span"
            role="img"
            aria-label={label}
            title={label}
            data-tick={tick}
            sx={{ display: 'inline-flex', alignItems: 'center', color: COLORS[tick] }}
        >
            {ICONS[tick]}
        </Box>
    );
}
