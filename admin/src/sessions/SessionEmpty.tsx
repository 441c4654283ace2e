import QrCode2Icon from '@mui/icons-material/QrCode2';
import { Box, Typography } from '@mui/material';
import { CreateButton, useCanAccess, useTranslate } from 'react-admin';

export function SessionEmpty() {
    const translate = useTranslate();
    const { canAccess } = useCanAccess({ resource: 'sessions', action: 'create' });
    return (
        <Box sx={{ textAlign: 'center', m: 4 }}>
            <QrCode2Icon sx={{ fontSize: 80, color: 'text.disabled' }} />
            <Typography variant="h6" gutterBottom>
                {translate('charla.sessions.empty.title')}
            </Typography>
            <Typography variant="body2" color="text.secondary" paragraph>
                {translate(canAccess ? 'charla.sessions.empty.body' : 'charla.sessions.empty.body_agent')}
            </Typography>
            {canAccess && <CreateButton variant="contained" label="charla.sessions.empty.action" />}
        </Box>
    );
}
