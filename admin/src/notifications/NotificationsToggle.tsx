import NotificationsActiveIcon from '@mui/icons-material/NotificationsActive';
import NotificationsOffIcon from '@mui/icons-material/NotificationsOff';
import { Card, CardContent, FormControlLabel, IconButton, Switch, Tooltip, Typography } from '@mui/material';
import { useNotify, useTranslate } from 'react-admin';
import { playChime, unlockAudio } from './sound';
import { browserNotificationsSupported, useNotificationPreference } from './useNotificationPreference';

function useToggle(): [boolean, () => Promise<void>] {
    const [enabled, setEnabled] = useNotificationPreference();
    const notify = useNotify();
    const toggle = async () => {
        if (enabled) {
            setEnabled(false);
            notify('charla.notifications.disabled', { type: 'info' });
            return;
        }
        unlockAudio();
        if (browserNotificationsSupported() && Notification.permission === 'default') {
            await Notification.requestPermission().catch(() => 'denied');
        }
        setEnabled(true);
        playChime();
        const permission = browserNotificationsSupported() ? Notification.permission : 'denied';
        notify(permission === 'granted' ? 'charla.notifications.enabled' : 'charla.notifications.sound_only', {
            type: permission === 'granted' ? 'success' : 'warning',
        });
    };
    return [enabled, toggle];
}

/** Renders the bell in the app bar that turns sound and browser alerts on or off. */
export function NotificationsToggle() {
    const translate = useTranslate();
    const [enabled, toggle] = useToggle();
    const label = translate(enabled ? 'charla.notifications.turn_off' : 'charla.notifications.turn_on');
    return (
        <Tooltip title={label}>
            <IconButton color="inherit" onClick={() => void toggle()} aria-label={label} aria-pressed={enabled}>
                {enabled ? <NotificationsActiveIcon /> : <NotificationsOffIcon />}
            </IconButton>
        </Tooltip>
    );
}

/** Renders the same switch on the settings page, with a sentence about what it does. */
export function NotificationsSetting() {
    const translate = useTranslate();
    const [enabled, toggle] = useToggle();
    return (
        <Card>
            <CardContent>
                <Typography variant="h6" gutterBottom>
                    {translate('charla.notifications.title')}
                </Typography>
                <Typography variant="body2" color="text.secondary" paragraph>
                    {translate('charla.notifications.help')}
                </Typography>
                <FormControlLabel
                    control={<Switch checked={enabled} onChange={() => void toggle()} />}
                    label={translate('charla.notifications.switch')}
                />
            </CardContent>
        </Card>
    );
}
