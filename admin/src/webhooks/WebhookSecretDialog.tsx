import { Alert, Button, Dialog, DialogActions, DialogContent, DialogTitle, Typography } from '@mui/material';
import { useTranslate } from 'react-admin';

/** Shows a new endpoint's signing secret, the only time the API returns it. */
export function WebhookSecretDialog({ secret, onClose }: { secret: string | null; onClose: () => void }) {
    const translate = useTranslate();
    return (
        <Dialog open={secret !== null} onClose={onClose}>
            <DialogTitle>{translate('charla.webhooks.secret_title')}</DialogTitle>
            <DialogContent>
                <Alert severity="warning" sx={{ mb: 2 }}>
                    {translate('charla.webhooks.secret_once')}
                </Alert>
                <Typography component="code" sx={{ wordBreak: 'break-all', fontFamily: 'monospace' }} data-testid="webhook-secret">
                    {secret}
                </Typography>
            </DialogContent>
            <DialogActions>
                <Button onClick={onClose}>{translate('ra.action.close')}</Button>
            </DialogActions>
        </Dialog>
    );
}
