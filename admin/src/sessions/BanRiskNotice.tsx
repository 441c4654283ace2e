import { Alert, AlertTitle, Box } from '@mui/material';
import { useTranslate } from 'react-admin';

/** Says plainly how Charla links to WhatsApp and what makes WhatsApp ban a number. */
export function BanRiskNotice() {
    const translate = useTranslate();
    return (
        <Alert severity="info" variant="outlined" data-testid="ban-risk-notice">
            <AlertTitle>{translate('charla.sessions.notice.title')}</AlertTitle>
            {translate('charla.sessions.notice.how')}
            <Box component="ul" sx={{ mt: 1, mb: 0, pl: 3 }}>
                <li>{translate('charla.sessions.notice.risk_mass')}</li>
                <li>{translate('charla.sessions.notice.risk_cold')}</li>
                <li>{translate('charla.sessions.notice.risk_new_number')}</li>
            </Box>
        </Alert>
    );
}
