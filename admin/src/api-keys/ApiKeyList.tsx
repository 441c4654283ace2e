import { Chip } from '@mui/material';
import { DataTable, DeleteButton, List, TextField, useRecordContext, useTranslate } from 'react-admin';
import { LocaleDateField } from '../common/LocaleDateField';
import type { ApiKey } from '../types';

function ApiKeyStatus() {
    const record = useRecordContext<ApiKey>();
    const translate = useTranslate();
    if (!record) return null;
    return record.revokedAt ? (
        <Chip size="small" label={translate('charla.api_keys.revoked')} />
    ) : (
        <Chip size="small" color="success" variant="outlined" label={translate('charla.api_keys.active')} />
    );
}

function RevokeButton() {
    const record = useRecordContext<ApiKey>();
    if (!record || record.revokedAt) return null;
    return (
        <DeleteButton
            mutationMode="pessimistic"
            redirect={false}
            label="charla.api_keys.revoke"
            confirmTitle="charla.api_keys.revoke_dialog.title"
            confirmContent="charla.api_keys.revoke_dialog.content"
            successMessage="charla.api_keys.revoked_notice"
        />
    );
}

/** The tenant's API keys: name, role and first characters; a key cannot be read again after it is created. */
export function ApiKeyList() {
    const translate = useTranslate();
    return (
        <List<ApiKey> sort={{ field: 'createdAt', order: 'DESC' }} exporter={false}>
            <DataTable<ApiKey> bulkActionButtons={false} rowClick={false} rowSx={record => (record.revokedAt ? { opacity: 0.5 } : {})}>
                <DataTable.Col source="name" disableSort />
                <DataTable.Col source="role" disableSort render={record => translate(`charla.roles.${record.role}`)} />
                <DataTable.Col source="prefix" disableSort field={TextField} sx={{ fontFamily: 'monospace' }} render={record => `${record.prefix}…`} />
                <DataTable.Col source="createdAt" field={LocaleDateField} />
                <DataTable.Col source="lastUsedAt" disableSort field={LocaleDateField} />
                <DataTable.Col source="revokedAt" disableSort render={() => <ApiKeyStatus />} />
                <DataTable.Col label="" disableSort render={() => <RevokeButton />} />
            </DataTable>
        </List>
    );
}
