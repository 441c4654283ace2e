import AttachFileIcon from '@mui/icons-material/AttachFile';
import CloseIcon from '@mui/icons-material/Close';
import LocationOnOutlinedIcon from '@mui/icons-material/LocationOnOutlined';
import MicIcon from '@mui/icons-material/Mic';
import SendIcon from '@mui/icons-material/Send';
import StopIcon from '@mui/icons-material/Stop';
import { Box, IconButton, TextField, Tooltip, Typography } from '@mui/material';
import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import { useTranslate } from 'react-admin';
import { useCharlaDataProvider } from '../common/useCharlaDataProvider';
import { useErrorNotifier } from '../common/useErrorNotifier';
import { upsertThreadMessage } from '../realtime/cacheUpdates';
import type { Conversation, MediaType, MediaUpload, Message, OutgoingMessage } from '../types';
import { useComposer } from './ComposerContext';
import { LocationDialog, type LocationInput } from './LocationDialog';
import { formatBytes } from './MediaView';
import { messageSummary } from './MessageContent';

export const MAX_MESSAGE_LENGTH = 4096;

/** Returns the message type a file is sent as: photos, videos and audio play inline, anything else is a document. */
export function mediaTypeForFile(file: Pick<File, 'type'>): MediaType {
    if (/^image\/(jpeg|png|webp|gif)$/.test(file.type)) return 'image';
    if (file.type.startsWith('video/')) return 'video';
    if (file.type.startsWith('audio/')) return 'audio';
    return 'document';
}

/** Returns whether this browser can record a voice note. */
function canRecord(): boolean {
    return typeof window !== 'undefined' && typeof window.MediaRecorder === 'function' && !!navigator.mediaDevices?.getUserMedia;
}

interface Recording {
    recorder: MediaRecorder;
    stream: MediaStream;
    chunks: Blob[];
}

/** Renders the "replying to" bar above the text field, with a button that cancels the reply. */
function ReplyingTo({ message, onCancel }: { message: Message; onCancel: () => void }) {
    const translate = useTranslate();
    const heading =
        message.direction === 'out'
            ? translate('charla.conversations.reply.replying_to_self')
            : `${translate('charla.conversations.reply.replying_to')} ${message.senderName ?? ''}`.trim();
    return (
        <Box
            data-testid="replying-to"
            sx={{ display: 'flex', alignItems: 'center', gap: 1, px: 1.5, py: 0.5, borderTop: 1, borderColor: 'divider', bgcolor: 'action.hover' }}
        >
            <Box sx={{ flex: 1, minWidth: 0, borderLeft: 3, borderColor: 'primary.main', pl: 1 }}>
                <Typography variant="caption" color="primary" sx={{ display: 'block', fontWeight: 600 }}>
                    {heading}
                </Typography>
                <Typography variant="body2" color="text.secondary" noWrap>
                    {messageSummary(message, translate)}
                </Typography>
            </Box>
            <Tooltip title={translate('charla.conversations.reply.cancel_reply')}>
                <IconButton size="small" onClick={onCancel} aria-label={translate('charla.conversations.reply.cancel_reply')}>
                    <CloseIcon fontSize="small" />
                </IconButton>
            </Tooltip>
        </Box>
    );
}

/**
 * Renders the reply box. Enter sends, and Shift+Enter starts a new line. Inside a ComposerProvider it
 * also shows the message being replied to and a button that sends a location.
 */
export function ReplyBox({ conversation }: { conversation: Pick<Conversation, 'id' | 'sessionId'> }) {
    const translate = useTranslate();
    const dataProvider = useCharlaDataProvider();
    const queryClient = useQueryClient();
    const notifyError = useErrorNotifier();
    const composer = useComposer();
    const replyTo = composer?.replyTo && String(composer.replyTo.conversationId) === String(conversation.id) ? composer.replyTo : null;
    const [content, setContent] = useState('');
    const [sending, setSending] = useState(false);
    const [locationOpen, setLocationOpen] = useState(false);
    const [attachment, setAttachment] = useState<{ file: File; type: MediaType } | null>(null);
    const [dragging, setDragging] = useState(false);
    const [recording, setRecording] = useState<Recording | null>(null);
    const fileInput = useRef<HTMLInputElement>(null);

    /** Sends `body`, then shows it at once as `local` describes it. The realtime feed then updates its ticks. */
    const deliver = async (body: string | OutgoingMessage | MediaUpload, local: Pick<Message, 'type' | 'content'> & Partial<Message>): Promise<boolean> => {
        setSending(true);
        try {
            const result =
                typeof body === 'object' && 'file' in body ? await dataProvider.sendMedia(conversation.id, body) : await dataProvider.reply(conversation.id, body);
            const message: Message = {
                id: result.id,
                sessionId: conversation.sessionId,
                conversationId: String(conversation.id),
                waMessageId: result.waMessageId,
                direction: 'out',
                status: result.status,
                error: null,
                timestamp: new Date().toISOString(),
                ...(replyTo ? { quotedMessageId: String(replyTo.id) } : {}),
                ...local,
            };
            upsertThreadMessage(queryClient, conversation.id, message, { keepExisting: true });
            composer?.setReplyTo(null);
            return true;
        } catch (error) {
            notifyError(error);
            return false;
        } finally {
            setSending(false);
        }
    };

    /** Sends a file; the text field, when filled, becomes its caption (photos, videos and documents). */
    const sendMedia = async (upload: Omit<MediaUpload, 'replyTo'>): Promise<boolean> => {
        const body: MediaUpload = { ...upload, ...(replyTo ? { replyTo: String(replyTo.id) } : {}) };
        const media = { fileName: upload.fileName, size: upload.file.size, mimeType: upload.file.type, ...(upload.ptt ? { ptt: true } : {}) };
        return deliver(body, { type: upload.type, content: upload.caption ?? (upload.type === 'document' ? upload.fileName : null), data: { media } });
    };

    const attach = (file: File | undefined) => {
        if (file) setAttachment({ file, type: mediaTypeForFile(file) });
    };

    const onDrop = (event: DragEvent<HTMLDivElement>) => {
        event.preventDefault();
        setDragging(false);
        attach(event.dataTransfer.files?.[0]);
    };

    const startRecording = async () => {
        try {
            const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
            const recorder = new MediaRecorder(stream);
            const state: Recording = { recorder, stream, chunks: [] };
            recorder.ondataavailable = event => {
                if (event.data.size > 0) state.chunks.push(event.data);
            };
            recorder.start();
            setRecording(state);
        } catch (error) {
            notifyError(new Error(translate('charla.conversations.reply.microphone_unavailable')));
        }
    };

    const stopRecording = async () => {
        if (!recording) return;
        const { recorder, stream, chunks } = recording;
        const stopped = new Promise<void>(resolve => recorder.addEventListener('stop', () => resolve(), { once: true }));
        recorder.stop();
        await stopped;
        stream.getTracks().forEach(track => track.stop());
        setRecording(null);
        // NOTE: Chromium records WebM/Opus and it is sent unconverted; WhatsApp phones expect Ogg/Opus voice notes and may not play it.
        const mimeType = (recorder.mimeType || 'audio/webm').split(';')[0];
        const file = new Blob(chunks, { type: mimeType });
        if (file.size === 0) return;
        await sendMedia({ type: 'audio', file, fileName: `nota-de-voz.${mimeType.split('/')[1] ?? 'webm'}`, ptt: true });
    };

    const send = async () => {
        const text = content.trim();
        if (attachment) {
            if (sending) return;
            const captioned = attachment.type === 'image' || attachment.type === 'video' || attachment.type === 'document';
            const sent = await sendMedia({
                type: attachment.type,
                file: attachment.file,
                fileName: attachment.file.name,
                ...(captioned && text ? { caption: text } : {}),
            });
            if (sent) {
                setAttachment(null);
                setContent('');
            }
            return;
        }
        if (!text || sending) return;
        // A plain reply keeps the string form, and a quoting reply needs the object form.
        const body: string | OutgoingMessage = replyTo ? { content: text, replyTo: String(replyTo.id) } : text;
        if (await deliver(body, { type: 'text', content: text })) setContent('');
    };

    const sendLocation = async (location: LocationInput) => {
        if (sending) return;
        const body: OutgoingMessage = { type: 'location', ...location, ...(replyTo ? { replyTo: String(replyTo.id) } : {}) };
        const sent = await deliver(body, { type: 'location', content: location.name ?? null, data: { ...location } });
        if (sent) setLocationOpen(false);
    };

    const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
        if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
            event.preventDefault();
            void send();
        } else if (event.key === 'Escape' && replyTo) {
            composer?.setReplyTo(null);
        }
    };

    const tooLong = content.length > MAX_MESSAGE_LENGTH;
    let placeholderKey = 'charla.conversations.reply.placeholder';
    if (attachment) placeholderKey = 'charla.conversations.reply.caption';
    if (recording) placeholderKey = 'charla.conversations.reply.recording';

    return (
        <Box
            data-testid="reply-box"
            onDragOver={event => {
                event.preventDefault();
                setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={onDrop}
            sx={{ position: 'relative', outline: dragging ? 2 : 0, outlineColor: 'primary.main', outlineStyle: dragging ? 'dashed' : 'none' }}
        >
            {dragging && (
                <Typography variant="body2" color="primary" sx={{ px: 1.5, py: 0.5 }}>
                    {translate('charla.conversations.reply.drop_here')}
                </Typography>
            )}
            {replyTo && <ReplyingTo message={replyTo} onCancel={() => composer?.setReplyTo(null)} />}
            {attachment && (
                <Box data-testid="attachment" sx={{ display: 'flex', alignItems: 'center', gap: 1, px: 1.5, py: 0.5, borderTop: 1, borderColor: 'divider', bgcolor: 'action.hover' }}>
                    <AttachFileIcon fontSize="small" />
                    <Box sx={{ flex: 1, minWidth: 0 }}>
                        <Typography variant="body2" noWrap>
                            {attachment.file.name} · {formatBytes(attachment.file.size)}
                        </Typography>
                        <Typography variant="caption" color="text.secondary">
                            {translate(`charla.conversations.reply.send_as.${attachment.type}`)}
                        </Typography>
                    </Box>
                    <Tooltip title={translate('charla.conversations.reply.remove_attachment')}>
                        <IconButton size="small" onClick={() => setAttachment(null)} aria-label={translate('charla.conversations.reply.remove_attachment')}>
                            <CloseIcon fontSize="small" />
                        </IconButton>
                    </Tooltip>
                </Box>
            )}
            <Box
                component="form"
                onSubmit={event => {
                    event.preventDefault();
                    void send();
                }}
                sx={{ display: 'flex', alignItems: 'flex-end', gap: 1, p: 1, borderTop: 1, borderColor: 'divider', bgcolor: 'background.paper' }}
            >
                {composer && (
                    <Tooltip title={translate('charla.conversations.reply.location.open')}>
                        <span>
                            <IconButton
                                onClick={() => setLocationOpen(true)}
                                disabled={sending}
                                aria-label={translate('charla.conversations.reply.location.open')}
                            >
                                <LocationOnOutlinedIcon />
                            </IconButton>
                        </span>
                    </Tooltip>
                )}
                <input
                    ref={fileInput}
                    type="file"
                    hidden
                    data-testid="attach-input"
                    onChange={event => {
                        attach(event.target.files?.[0]);
                        event.target.value = '';
                    }}
                />
                <Tooltip title={translate('charla.conversations.reply.attach')}>
                    <span>
                        <IconButton onClick={() => fileInput.current?.click()} disabled={sending || !!recording} aria-label={translate('charla.conversations.reply.attach')}>
                            <AttachFileIcon />
                        </IconButton>
                    </span>
                </Tooltip>
                <TextField
                    value={content}
                    onChange={event => setContent(event.target.value)}
                    onKeyDown={onKeyDown}
                    placeholder={translate(placeholderKey)}
                    helperText={tooLong ? translate('charla.errors.MESSAGE_TOO_LONG') : translate('charla.conversations.reply.hint')}
                    error={tooLong}
                    multiline
                    maxRows={6}
                    fullWidth
                    size="small"
                    slotProps={{ htmlInput: { 'aria-label': translate(attachment ? 'charla.conversations.reply.caption' : 'charla.conversations.reply.placeholder') } }}
                />
                {(recording || (canRecord() && !attachment && !content.trim())) && (
                    <Tooltip title={translate(recording ? 'charla.conversations.reply.stop_recording' : 'charla.conversations.reply.record')}>
                        <span>
                            <IconButton
                                color={recording ? 'error' : 'default'}
                                onClick={() => void (recording ? stopRecording() : startRecording())}
                                disabled={sending}
                                aria-label={translate(recording ? 'charla.conversations.reply.stop_recording' : 'charla.conversations.reply.record')}
                            >
                                {recording ? <StopIcon /> : <MicIcon />}
                            </IconButton>
                        </span>
                    </Tooltip>
                )}
                <Tooltip title={translate('charla.conversations.reply.send')}>
                    <span>
                        <IconButton
                            type="submit"
                            color="primary"
                            disabled={sending || (!content.trim() && !attachment) || tooLong || !!recording}
                            aria-label={translate('charla.conversations.reply.send')}
                        >
                            <SendIcon />
                        </IconButton>
                    </span>
                </Tooltip>
            </Box>
            {composer && (
                <LocationDialog open={locationOpen} onClose={() => setLocationOpen(false)} onSend={location => void sendLocation(location)} sending={sending} />
            )}
        </Box>
    );
}
