import ForumIcon from '@mui/icons-material/Forum';
import { Avatar, Box, Typography, useMediaQuery, type Theme } from '@mui/material';
import {
    DataTable,
    List,
    ReferenceField,
    ReferenceInput,
    SearchInput,
    SelectInput,
    SimpleList,
    TextField,
    useLocaleState,
    useTranslate,
} from 'react-admin';
import type { Conversation } from '../types';
import { conversationLabel } from './contactLabel';
import { UnreadBadge } from './UnreadBadge';

function useConversationFilters() {
    const translate = useTranslate();
    return [
        <SearchInput key="q" source="q" alwaysOn placeholder={translate('charla.conversations.search')} />,
        <ReferenceInput key="sessionId" source="sessionId" reference="sessions" sort={{ field: 'name', order: 'ASC' }} alwaysOn>
            <SelectInput optionText="name" label="charla.conversations.filter_session" emptyText="charla.conversations.all_sessions" />
        </ReferenceInput>,
    ];
}

/** "14:05" today, "lun 3" this week, a date otherwise. */
export function formatLastMessageAt(value: string | null | undefined, locale: string, now = new Date()): string {
    if (!value) return '';
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) return '';
    if (date.toDateString() === now.toDateString()) {
        return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(date);
    }
    const ageDays = (now.getTime() - date.getTime()) / 86_400_000;
    if (ageDays < 6) return new Intl.DateTimeFormat(locale, { weekday: 'short', day: 'numeric' }).format(date);
    return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: '2-digit' }).format(date);
}

function ConversationEmpty() {
    const translate = useTranslate();
    return (
        <Box sx={{ textAlign: 'center', m: 4 }}>
            <ForumIcon sx={{ fontSize: 80, color: 'text.disabled' }} />
            <Typography variant="h6" gutterBottom>
                {translate('charla.conversations.empty.title')}
            </Typography>
            <Typography variant="body2" color="text.secondary">
                {translate('charla.conversations.empty.body')}
            </Typography>
        </Box>
    );
}

function ContactCell({ record }: { record: Conversation }) {
    return (
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5 }}>
            <Avatar sx={{ width: 32, height: 32 }}>{conversationLabel(record).charAt(0).toUpperCase()}</Avatar>
            <Box>
                <Typography variant="body2" sx={{ fontWeight: record.unreadCount > 0 ? 700 : 400 }}>
                    {conversationLabel(record)}
                </Typography>
                <Typography variant="caption" color="text.secondary">
                    {record.contact?.phoneNumber}
                </Typography>
            </Box>
        </Box>
    );
}

function Preview({ record }: { record: Conversation }) {
    return (
        <Typography
            variant="body2"
            color="text.secondary"
            noWrap
            sx={{ maxWidth: 360, fontWeight: record.unreadCount > 0 ? 600 : 400 }}
        >
            {record.lastMessagePreview}
        </Typography>
    );
}

export function ConversationList() {
    const isSmall = useMediaQuery<Theme>(theme => theme.breakpoints.down('md'));
    const [locale] = useLocaleState();
    const filters = useConversationFilters();
    return (
        <List<Conversation>
            sort={{ field: 'lastMessageAt', order: 'DESC' }}
            filters={filters}
            empty={<ConversationEmpty />}
            exporter={false}
            perPage={25}
        >
            {isSmall ? (
                <SimpleList<Conversation>
                    leftAvatar={record => conversationLabel(record).charAt(0).toUpperCase()}
                    primaryText={record => conversationLabel(record)}
                    secondaryText={record => record.lastMessagePreview ?? ''}
                    tertiaryText={record => (
                        <Box component="span" sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.5 }}>
                            {formatLastMessageAt(record.lastMessageAt, locale)}
                            <UnreadBadge count={record.unreadCount} />
                        </Box>
                    )}
                    linkType="show"
                />
            ) : (
                <DataTable<Conversation> rowClick="show" bulkActionButtons={false}>
                    <DataTable.Col source="contact" disableSort render={record => <ContactCell record={record as Conversation} />} />
                    <DataTable.Col source="lastMessagePreview" disableSort render={record => <Preview record={record as Conversation} />} />
                    <DataTable.Col source="sessionId" disableSort>
                        <ReferenceField source="sessionId" reference="sessions" link={false}>
                            <TextField source="name" />
                        </ReferenceField>
                    </DataTable.Col>
                    <DataTable.Col source="lastMessageAt" render={record => formatLastMessageAt(record.lastMessageAt, locale)} />
                    <DataTable.Col source="unreadCount" align="right" render={record => <UnreadBadge count={record.unreadCount} />} />
                </DataTable>
            )}
        </List>
    );
}
