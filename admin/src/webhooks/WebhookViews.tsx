import { Button as MuiButton } from '@mui/material';
import { useState } from 'react';
import {
    BooleanField,
    BooleanInput,
    ChipField,
    Create,
    DataTable,
    DateField,
    Edit,
    List,
    NumberField,
    type RaRecord,
    ReferenceManyField,
    required,
    SelectArrayInput,
    SimpleForm,
    TextField,
    TextInput,
    useDataProvider,
    useNotify,
    useRecordContext,
    useRedirect,
    useTranslate,
} from 'react-admin';
import { useErrorNotifier } from '../common/useErrorNotifier';
import type { AutomationMethods } from '../automation/types';
import { WebhookSecretDialog } from './WebhookSecretDialog';

export const WEBHOOK_EVENTS = ['message.created', 'message.updated', 'session.status', 'conversation.updated', 'conversation.handoff'];
const EVENT_CHOICES = WEBHOOK_EVENTS.map(event => ({ id: event, name: event }));

function WebhookInputs() {
    return (
        <>
            <TextInput source="url" type="url" validate={required()} helperText="charla.webhooks.url_help" fullWidth />
            <SelectArrayInput source="events" choices={EVENT_CHOICES} validate={required()} />
            <TextInput source="description" fullWidth />
            <BooleanInput source="active" defaultValue />
        </>
    );
}

export function WebhookList() {
    return (
        <List sort={{ field: 'createdAt', order: 'ASC' }} pagination={false}>
            <DataTable rowClick="edit" bulkActionButtons={false}>
                <DataTable.Col source="url" />
                <DataTable.Col source="description" />
                <DataTable.Col source="events" disableSort>
                    <TextField source="events" />
                </DataTable.Col>
                <DataTable.Col source="active" disableSort>
                    <BooleanField source="active" />
                </DataTable.Col>
            </DataTable>
        </List>
    );
}

export function WebhookCreate() {
    const [secret, setSecret] = useState<string | null>(null);
    const redirect = useRedirect();
    return (
        <>
            <Create mutationOptions={{ onSuccess: (record: RaRecord) => setSecret(String(record.secret)) }} redirect={false}>
                <SimpleForm>
                    <WebhookInputs />
                </SimpleForm>
            </Create>
            <WebhookSecretDialog
                secret={secret}
                onClose={() => {
                    setSecret(null);
                    redirect('list', 'webhooks');
                }}
            />
        </>
    );
}

/** Queues a `webhook.test` delivery to the endpoint shown. */
function SendTestButton() {
    const record = useRecordContext();
    const translate = useTranslate();
    const notify = useNotify();
    const notifyError = useErrorNotifier();
    const dataProvider = useDataProvider() as unknown as AutomationMethods;
    if (!record) return null;
    return (
        <MuiButton
            onClick={() =>
                dataProvider
                    .testWebhook(String(record.id))
                    .then(() => notify('charla.webhooks.test_queued', { type: 'info' }))
                    .catch(notifyError)
            }
        >
            {translate('charla.webhooks.send_test')}
        </MuiButton>
    );
}

/** Lists the deliveries of one endpoint with their status, attempts and last response. */
export function DeliveryLog() {
    return (
        <ReferenceManyField reference="webhook-deliveries" target="endpointId" sort={{ field: 'createdAt', order: 'DESC' }} perPage={25} label="charla.webhooks.deliveries">
            <DataTable bulkActionButtons={false} rowClick={false}>
                <DataTable.Col source="createdAt" label="resources.webhook-deliveries.fields.createdAt">
                    <DateField source="createdAt" showTime />
                </DataTable.Col>
                <DataTable.Col source="event" label="resources.webhook-deliveries.fields.event" />
                <DataTable.Col source="status" label="resources.webhook-deliveries.fields.status">
                    <ChipField source="status" size="small" />
                </DataTable.Col>
                <DataTable.Col source="attempts" label="resources.webhook-deliveries.fields.attempts">
                    <NumberField source="attempts" />
                </DataTable.Col>
                <DataTable.Col source="lastStatusCode" label="resources.webhook-deliveries.fields.lastStatusCode">
                    <NumberField source="lastStatusCode" emptyText="—" />
                </DataTable.Col>
                <DataTable.Col source="lastError" label="resources.webhook-deliveries.fields.lastError">
                    <TextField source="lastError" emptyText="—" />
                </DataTable.Col>
            </DataTable>
        </ReferenceManyField>
    );
}

export function WebhookEdit() {
    return (
        <Edit mutationMode="pessimistic">
            <SimpleForm>
                <WebhookInputs />
                <SendTestButton />
                <DeliveryLog />
            </SimpleForm>
        </Edit>
    );
}
