import CloudDoneIcon from '@mui/icons-material/CloudDone';
import CloudOffIcon from '@mui/icons-material/CloudOff';
import { Box, Tooltip } from '@mui/material';
import { useTranslate } from 'react-admin';
import { useRealtime } from '../realtime/RealtimeProvider';

/** Renders a small cloud icon that shows whether live updates are flowing. */
export function RealtimeIndicator() {
    const translate = useTranslate();
    const { connected } = useRealtime();
    const label = translate(connected ? 'charla.realtime.online' : 'charla.realtime.offline');
    return (
        <Tooltip title={label}>
            <Box component="span" role="status" aria-label={label} sx={{ display: { xs: connected ? 'none' : 'inline-flex', sm: 'inline-flex' }, mx: 1, opacity: connected ? 0.8 : 1 }}>
                {connected ? <CloudDoneIcon fontSize="small" /> : <CloudOffIcon fontSize="small" color="warning" />}
            </Box>
        </Tooltip>
    );
}
