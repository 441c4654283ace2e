import { Box, Typography } from '@mui/material';
import { useLocaleState, useTranslate } from 'react-admin';
import { errorMessageKey } from '../providers/apiError';
import type { Message } from '../types';
import { DeliveryTicks } from './DeliveryTicks';

export function formatTime(timestamp: string, locale: string): string {
    const date = new Date(timestamp);
    if (Number.isNaN(date.getTime())) return '';
    return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(date);
}

/** Renders one message: customer messages on the left, the business's on the right with delivery ticks. */
export function MessageBubble({ message }: { message: Message }) {
    const translate = useTranslate();
    const [locale] = useLocaleState();
    const outbound = message.direction === 'out';
    const failed = message.status === 'failed';
    const text = message.content ?? translate('charla.messages.unsupported', { type: message.type });
    return (
        <Box
            data-testid="message-bubble"
            data-direction={message.direction}
            data-status={message.status}
            sx={{ display: 'flex', justifyContent: outbound ? 'flex-end' : 'flex-start', px: 1, py: 0.25 }}
        >
            <Box
                sx={theme => ({
                    maxWidth: { xs: '85%', md: '65%' },
                    px: 1.5,
                    py: 0.75,
                    borderRadius: 2,
                    borderTopRightRadius: outbound ? 4 : 16,
                    borderTopLeftRadius: outbound ? 16 : 4,
                    bgcolor: outbound
                        ? theme.palette.mode === 'dark'
                            ? '#005c4b'
                            : '#d9fdd3'
                        : theme.palette.mode === 'dark'
                          ? '#202c33'
                          : '#ffffff',
                    boxShadow: '0 1px 0.5px rgba(0,0,0,0.13)',
                    border: failed ? `1px solid ${theme.palette.error.main}` : 'none',
                })}
            >
                {!outbound && message.senderName && (
                    <Typography variant="caption" color="primary" sx={{ display: 'block', fontWeight: 600 }}>
                        {message.senderName}
                    </Typography>
                )}
                <Typography
                    variant="body2"
                    sx={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word', fontStyle: message.content ? 'normal' : 'italic' }}
                >
                    {text}
                </Typography>
                <Box sx={{ display: 'flex', alignItems: 'center', justifyContent: 'flex-end', gap: 0.5, mt: 0.25 }}>
                    <Typography variant="caption" color="text.secondary">
                        {formatTime(message.timestamp, locale)}
                    </Typography>
                    {outbound && <DeliveryTicks status={message.status} />}
                </Box>
                {failed && (
                    <Typography variant="caption" color="error" sx={{ display: 'block' }}>
                        {translate(message.error?.code ? errorMessageKey(message.error.code) : 'charla.messages.failed')}
                    </Typography>
                )}
            </Box>
        </Box>
    );
}
