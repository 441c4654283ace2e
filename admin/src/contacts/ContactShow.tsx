import { Typography } from '@mui/material';
import {
    DataTable,
    Labeled,
    ReferenceField,
    ReferenceManyField,
    Show,
    SimpleShowLayout,
    TextField,
    useTranslate,
} from 'react-admin';
import { LocaleDateField } from '../common/LocaleDateField';
import { UnreadBadge } from '../conversations/UnreadBadge';
import type { Conversation } from '../types';

function ContactConversations() {
    const translate = useTranslate();
    return (
        <Labeled label="charla.contacts.conversations" fullWidth>
            <ReferenceManyField<Conversation>
                reference="conversations"
                target="contactId"
                sort={{ field: 'lastMessageAt', order: 'DESC' }}
                empty={<Typography variant="body2">{translate('charla.contacts.no_conversations')}</Typography>}
            >
                <DataTable<Conversation> rowClick="show" bulkActionButtons={false}>
                    <DataTable.Col source="sessionId" disableSort>
                        <ReferenceField source="sessionId" reference="sessions" link={false}>
                            <TextField source="name" />
                        </ReferenceField>
                    </DataTable.Col>
                    <DataTable.Col source="lastMessagePreview" disableSort />
                    <DataTable.Col source="lastMessageAt" disableSort>
                        <LocaleDateField source="lastMessageAt" showTime />
                    </DataTable.Col>
                    <DataTable.Col source="unreadCount" disableSort render={record => <UnreadBadge count={record.unreadCount} />} />
                </DataTable>
            </ReferenceManyField>
        </Labeled>
    );
}

export function ContactShow() {
    return (
        <Show>
            <SimpleShowLayout>
                <TextField source="name" emptyText="—" />
                <TextField source="phoneNumber" />
                <LocaleDateField source="createdAt" showTime />
                <ContactConversations />
            </SimpleShowLayout>
        </Show>
    );
}
