import { Box, Link, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import { useTranslate } from 'react-admin';
import type { Message } from '../types';
import { MediaView, mediaOf } from './MediaView';

type Translate = ReturnType<typeof useTranslate>;

/** The label keys of the media types. */
const MEDIA_KEYS: Record<string, string> = {
    image: 'charla.messages.media.image',
    video: 'charla.messages.media.video',
    audio: 'charla.messages.media.audio',
    document: 'charla.messages.media.document',
    sticker: 'charla.messages.media.sticker',
};

export interface ParsedContact {
    name: string;
    phoneNumber: string | null;
}

function str(value: unknown): string | null {
    return typeof value === 'string' && value.trim() !== '' ? value : null;
}

function num(value: unknown): number | null {
    const parsed = typeof value === 'string' ? Number.parseFloat(value) : value;
    return typeof parsed === 'number' && Number.isFinite(parsed) ? parsed : null;
}

/** Reads the phone number of a vCard: the `waid` parameter of its TEL line, else the TEL value. */
export function phoneFromVcard(vcard: string | null | undefined): string | null {
    if (!vcard) return null;
    for (const line of vcard.split(/\r?\n/)) {
        const match = /^(?:item\d+\.)?TEL([^:]*):(.*)$/i.exec(line.trim());
        if (!match) continue;
        const waid = /waid=(\d+)/i.exec(match[1]);
        if (waid) return `+${waid[1]}`;
        const value = match[2].trim();
        if (value) return value;
    }
    return null;
}

export function contactsOf(message: Pick<Message, 'data'>): ParsedContact[] {
    const list = message.data?.contacts;
    if (!Array.isArray(list)) return [];
    return list.map(item => {
        const entry = (item ?? {}) as Record<string, unknown>;
        const vcard = str(entry.vcard);
        const fromVcard = vcard ? /^FN:(.*)$/im.exec(vcard)?.[1]?.trim() : undefined;
        return { name: str(entry.name) ?? fromVcard ?? '', phoneNumber: phoneFromVcard(vcard) };
    });
}

export function pollOptionsOf(message: Pick<Message, 'data'>): string[] {
    const options = message.data?.options;
    if (!Array.isArray(options)) return [];
    return options
        .map(option => (typeof option === 'string' ? option : str((option as Record<string, unknown> | null)?.name)))
        .filter((option): option is string => !!option);
}

/** Votes per option name, counting each voter's current choice once; empty until someone votes. */
export function pollTally(message: Pick<Message, 'data'>): Map<string, number> {
    const tally = new Map<string, number>();
    const votes = message.data?.votes;
    if (!Array.isArray(votes)) return tally;
    for (const vote of votes as { options?: unknown }[]) {
        if (!Array.isArray(vote?.options)) continue;
        for (const option of vote.options) if (typeof option === 'string') tally.set(option, (tally.get(option) ?? 0) + 1);
    }
    return tally;
}

export function mapUrl(latitude: number, longitude: number): string {
    return `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=16/${latitude}/${longitude}`;
}

function mediaLabel(message: Message, translate: Translate): string {
    if (message.type === 'audio' && (message.data?.voiceNote || mediaOf(message)?.ptt)) return translate('charla.messages.media.voice_note');
    return translate(MEDIA_KEYS[message.type]);
}

/** Summarizes a message in one line for quote blocks and the "replying to" bar. */
export function messageSummary(message: Message, translate: Translate): string {
    if (message.deletedAt) return translate('charla.messages.deleted');
    const content = str(message.content);
    switch (message.type) {
        case 'location':
        case 'liveLocation': {
            const label = translate(message.type === 'location' ? 'charla.messages.location' : 'charla.messages.live_location');
            const name = str(message.data?.name);
            return name ? `${label}: ${name}` : label;
        }
        case 'contact': {
            const names = contactsOf(message).map(contact => contact.name).filter(Boolean);
            return names.length > 0 ? `${translate('charla.messages.contact')}: ${names.join(', ')}` : translate('charla.messages.contact');
        }
        case 'poll': {
            const name = str(message.data?.name);
            return name ? `${translate('charla.messages.poll')}: ${name}` : translate('charla.messages.poll');
        }
        case 'undecryptable':
            return translate('charla.messages.undecryptable');
        case 'unknown':
            return translate('charla.messages.unsupported', { type: str(message.data?.messageType) ?? message.type });
        default:
            break;
    }
    if (message.type in MEDIA_KEYS) return content ? `${mediaLabel(message, translate)} · ${content}` : mediaLabel(message, translate);
    return content ?? translate('charla.messages.unsupported', { type: message.type });
}

function Text({ children, italic = false }: { children: ReactNode; italic?: boolean }) {
    return (
        <Typography variant="body2" sx={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word', fontStyle: italic ? 'italic' : 'normal' }}>
            {children}
        </Typography>
    );
}

function Label({ children }: { children: ReactNode }) {
    return (
        <Typography variant="body2" sx={{ fontWeight: 600 }}>
            {children}
        </Typography>
    );
}

function Panel({ children, testId }: { children: ReactNode; testId: string }) {
    return (
        <Box data-testid={testId} sx={{ borderRadius: 1, bgcolor: 'action.hover', px: 1, py: 0.5, my: 0.25 }}>
            {children}
        </Box>
    );
}

/** Renders the body of a message by its type. Never renders nothing: unknown types get a placeholder. */
export function MessageContent({ message }: { message: Message }) {
    const translate = useTranslate();
    const content = str(message.content);
    const data = message.data ?? {};

    if (message.deletedAt) {
        return (
            <Typography variant="body2" color="text.secondary" sx={{ fontStyle: 'italic' }} data-testid="message-deleted">
                🚫 {translate('charla.messages.deleted')}
            </Typography>
        );
    }

    switch (message.type) {
        case 'location':
        case 'liveLocation': {
            const latitude = num(data.latitude);
            const longitude = num(data.longitude);
            const name = str(data.name);
            const address = str(data.address);
            return (
                <Panel testId="message-location">
                    <Label>
                        {translate(message.type === 'location' ? 'charla.messages.location' : 'charla.messages.live_location')}
                    </Label>
                    {name && <Text>{name}</Text>}
                    {address && (
                        <Typography variant="caption" color="text.secondary" sx={{ display: 'block' }}>
                            {address}
                        </Typography>
                    )}
                    {latitude !== null && longitude !== null && (
                        <Link href={mapUrl(latitude, longitude)} target="_blank" rel="noopener noreferrer" variant="body2">
                            {translate('charla.messages.open_map')} ({latitude.toFixed(5)}, {longitude.toFixed(5)})
                        </Link>
                    )}
                    {content && content !== name && <Text>{content}</Text>}
                </Panel>
            );
        }
        case 'contact': {
            const contacts = contactsOf(message);
            return (
                <Panel testId="message-contact">
                    <Label>
                        {contacts.length > 1
                            ? translate('charla.messages.contacts', { smart_count: contacts.length })
                            : translate('charla.messages.contact')}
                    </Label>
                    {contacts.map((contact, index) => (
                        <Box key={index} data-testid="contact-card" sx={{ mt: 0.25 }}>
                            <Text>{contact.name || contact.phoneNumber || content || ''}</Text>
                            {contact.phoneNumber && (
                                <Link href={`tel:${contact.phoneNumber}`} variant="body2">
                                    {contact.phoneNumber}
                                </Link>
                            )}
                        </Box>
                    ))}
                    {contacts.length === 0 && content && <Text>{content}</Text>}
                </Panel>
            );
        }
        case 'poll': {
            const options = pollOptionsOf(message);
            const tally = pollTally(message);
            return (
                <Panel testId="message-poll">
                    <Label>{translate('charla.messages.poll')}</Label>
                    <Text>{str(data.name) ?? content ?? ''}</Text>
                    <Box component="ul" sx={{ m: 0, pl: 2.5 }}>
                        {options.map((option, index) => (
                            <Typography component="li" variant="body2" key={index}>
                                <span data-testid="poll-option">{option}</span>
                                {tally.has(option) && (
                                    <Typography component="span" variant="caption" color="text.secondary" data-testid="poll-votes" sx={{ ml: 1 }}>
                                        {translate('charla.messages.poll_votes', { smart_count: tally.get(option) })}
                                    </Typography>
                                )}
                            </Typography>
                        ))}
                    </Box>
                    <Typography variant="caption" color="text.secondary">
                        {translate(data.multiple ? 'charla.messages.poll_multiple' : 'charla.messages.poll_single')}
                    </Typography>
                </Panel>
            );
        }
        case 'buttonReply':
        case 'listReply':
            return (
                <Box data-testid="message-choice">
                    <Typography variant="caption" color="text.secondary" sx={{ display: 'block' }}>
                        ↩ {translate(message.type === 'buttonReply' ? 'charla.messages.button_reply' : 'charla.messages.list_reply')}
                    </Typography>
                    <Text>{content ?? str(data.id) ?? ''}</Text>
                </Box>
            );
        case 'undecryptable':
            return <Text italic>{translate('charla.messages.undecryptable')}</Text>;
        case 'unknown':
            return <Text italic>{translate('charla.messages.unsupported', { type: str(data.messageType) ?? message.type })}</Text>;
        default:
            break;
    }

    if (message.type in MEDIA_KEYS) {
        return (
            <Box data-testid="message-media">
                <MediaView message={message} label={mediaLabel(message, translate)} />
                {content && !(message.type === 'document' && content === mediaOf(message)?.fileName) && <Text>{content}</Text>}
            </Box>
        );
    }

    if (!content) {
        return <Text italic>{translate('charla.messages.unsupported', { type: message.type })}</Text>;
    }

    const preview = message.type === 'text' ? (data.linkPreview as Record<string, unknown> | undefined) : undefined;
    const previewUrl = str(preview?.url);
    const previewTitle = str(preview?.title);
    const previewDescription = str(preview?.description);
    return (
        <>
            <Text>{content}</Text>
            {preview && (previewTitle || previewDescription) && (
                <Panel testId="link-preview">
                    {previewTitle &&
                        (previewUrl && /^https?:\/\//i.test(previewUrl) ? (
                            <Link href={previewUrl} target="_blank" rel="noopener noreferrer" variant="body2" sx={{ fontWeight: 600 }}>
                                {previewTitle}
                            </Link>
                        ) : (
                            <Label>{previewTitle}</Label>
                        ))}
                    {previewDescription && (
                        <Typography variant="caption" color="text.secondary" sx={{ display: 'block' }}>
                            {previewDescription}
                        </Typography>
                    )}
                </Panel>
            )}
        </>
    );
}
