import { DataTable, List, SelectInput, useTranslate } from 'react-admin';
import { LocaleDateField } from '../common/LocaleDateField';
import type { AuditEvent } from '../types';

export const AUDIT_ACTIONS = [
    'session.connect_requested',
    'session.linked',
    'session.unlinked',
    'session.deleted',
    'user.created',
    'user.deactivated',
    'user.reactivated',
    'user.role_changed',
    'user.password_changed',
    'api_key.created',
    'api_key.revoked',
] as const;

/** Catalogue keys use underscores, because polyglot reads dots as nesting. */
const actionKey = (action: string) => `charla.audit.actions.${action.replace('.', '_')}`;

const auditFilters = [
    <SelectInput key="action" source="action" choices={AUDIT_ACTIONS.map(action => ({ id: action, name: actionKey(action) }))} alwaysOn />,
];

/** Summarises the non-secret details an event carries, such as an email, a role change or a phone number. */
function describeDetails(details: Record<string, unknown>): string {
    return Object.entries(details)
        .map(([key, value]) => `${key}: ${String(value)}`)
        .join(' · ');
}

function ActorCell({ record }: { record: AuditEvent }) {
    const translate = useTranslate();
    if (record.actorType === 'system') return <>{translate('charla.audit.system')}</>;
    const name = record.actorName ?? record.actorId ?? '';
    return <>{record.actorType === 'api_key' ? translate('charla.audit.api_key_actor', { name }) : name}</>;
}

/** Read-only list of the tenant's administrative actions, newest first. */
export function AuditEventList() {
    const translate = useTranslate();
    return (
        <List<AuditEvent> sort={{ field: 'createdAt', order: 'DESC' }} filters={auditFilters} exporter={false}>
            <DataTable<AuditEvent> bulkActionButtons={false} rowClick={false}>
                <DataTable.Col source="createdAt" field={LocaleDateField} />
                <DataTable.Col source="action" render={record => translate(actionKey(record.action), { _: record.action })} />
                <DataTable.Col source="actorName" disableSort render={record => <ActorCell record={record as AuditEvent} />} />
                <DataTable.Col source="details" disableSort render={record => describeDetails(record.details)} />
                <DataTable.Col source="ip" disableSort />
            </DataTable>
        </List>
    );
}
