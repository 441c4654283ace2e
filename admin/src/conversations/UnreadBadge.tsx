import { Box } from '@mui/material';
import { useTranslate } from 'react-admin';

/** Renders a green bubble with the number of unread customer messages, or nothing when there are none. */
export function UnreadBadge({ count }: { count: number | null | undefined }) {
    const translate = useTranslate();
    if (!count) return null;
    return (
        <Box
            component="span"
            data-testid="unread-badge"
            aria-label={translate('charla.conversations.unread', { smart_count: count })}
            title={translate('charla.conversations.unread', { smart_count: count })}
            sx={{
                display: 'inline-flex',
                alignItems: 'center',
                justifyContent: 'center',
                minWidth: 22,
                height: 22,
                px: 0.75,
                borderRadius: 11,
                bgcolor: 'success.main',
                color: 'success.contrastText',
                fontSize: 12,
                fontWeight: 700,
            }}
        >
            {count > 99 ? '99+' : count}
        </Box>
    );
}
