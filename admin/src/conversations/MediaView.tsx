import DescriptionOutlinedIcon from '@mui/icons-material/DescriptionOutlined';
import { Box, Link, Typography } from '@mui/material';
import { useTranslate } from 'react-admin';
import type { Message } from '../types';

/** The `data.media` object of a message. Its `url` is a short-lived signed link that needs no token. */
export interface MessageMedia {
    id?: string;
    mimeType?: string;
    size?: number | null;
    fileName?: string;
    ptt?: boolean;
    status?: 'pending' | 'stored' | 'too_large' | 'rejected' | 'expired' | 'failed';
    reason?: string;
    url?: string;
}

export function mediaOf(message: Pick<Message, 'data'>): MessageMedia | undefined {
    const media = message.data?.media;
    return media && typeof media === 'object' ? (media as MessageMedia) : undefined;
}

/** Formats a size in bytes for people: 512 B, 12 KB, 3.4 MB. */
export function formatBytes(size: number | null | undefined): string {
    if (size === null || size === undefined || !Number.isFinite(size)) return '';
    if (size < 1024) return `${size} B`;
    if (size < 1024 * 1024) return `${Math.round(size / 1024)} KB`;
    return `${(size / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * Shows a media message's file: an image or sticker preview, a video player, an audio player (a
 * voice note is labelled as one), or a document link with its name and size. Without a stored file
 * it shows why: still downloading, too large, refused, expired or failed.
 */
export function MediaView({ message, label }: { message: Message; label: string }) {
    const translate = useTranslate();
    const media = mediaOf(message);
    const url = media?.status === 'stored' || (media && !media.status) ? media.url : undefined;

    if (!media || !url) {
        const status = media?.status && media.status !== 'stored' ? media.status : undefined;
        return (
            <Box data-testid="media-placeholder" sx={{ borderRadius: 1, bgcolor: 'action.hover', px: 1, py: 0.5, my: 0.25 }}>
                <Typography variant="body2">{label}</Typography>
                {status && (
                    <Typography variant="caption" color="text.secondary" data-testid="media-status" sx={{ display: 'block' }}>
                        {translate(`charla.messages.media.status.${status}`)}
                    </Typography>
                )}
            </Box>
        );
    }

    switch (message.type) {
        case 'image':
        case 'sticker':
            return (
                <Link href={url} target="_blank" rel="noopener noreferrer" sx={{ display: 'block' }}>
                    <Box
                        component="img"
                        src={url}
                        alt={label}
                        data-testid={message.type === 'sticker' ? 'media-sticker' : 'media-image'}
                        sx={{ display: 'block', maxWidth: message.type === 'sticker' ? 160 : 320, maxHeight: 320, borderRadius: 1, my: 0.25 }}
                    />
                </Link>
            );
        case 'video':
            return <Box component="video" src={url} controls preload="metadata" data-testid="media-video" sx={{ display: 'block', maxWidth: 320, borderRadius: 1, my: 0.25 }} />;
        case 'audio':
            return (
                <Box sx={{ my: 0.25 }}>
                    {media.ptt && (
                        <Typography variant="caption" color="text.secondary" sx={{ display: 'block' }}>
                            {label}
                        </Typography>
                    )}
                    <Box component="audio" src={url} controls preload="metadata" data-testid={media.ptt ? 'media-voice-note' : 'media-audio'} sx={{ display: 'block', maxWidth: 300 }} />
                </Box>
            );
        default: {
            const name = media.fileName ?? translate('charla.messages.media.document');
            return (
                <Box data-testid="media-document" sx={{ display: 'flex', alignItems: 'center', gap: 1, borderRadius: 1, bgcolor: 'action.hover', px: 1, py: 0.5, my: 0.25 }}>
                    <DescriptionOutlinedIcon fontSize="small" />
                    <Box sx={{ minWidth: 0 }}>
                        <Link href={url} download={name} target="_blank" rel="noopener noreferrer" variant="body2" sx={{ wordBreak: 'break-all' }}>
                            {name}
                        </Link>
                        <Typography variant="caption" color="text.secondary" sx={{ display: 'block' }}>
                            {[formatBytes(media.size), media.mimeType].filter(Boolean).join(' · ')}
                        </Typography>
                    </Box>
                </Box>
            );
        }
    }
}
