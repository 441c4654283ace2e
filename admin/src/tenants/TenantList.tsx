import { useMediaQuery, type Theme } from '@mui/material';
import { DataTable, List, SearchInput, SelectInput, SimpleList } from 'react-admin';
import { LocaleDateField } from '../common/LocaleDateField';
import type { Tenant } from '../types';
import { TENANT_STATUS_CHOICES } from './TenantInputs';
import { TenantStatusChip } from './TenantStatusChip';

const tenantFilters = [
    <SearchInput key="q" source="q" alwaysOn />,
    <SelectInput key="status" source="status" choices={TENANT_STATUS_CHOICES} />,
];

export function TenantList() {
    const isSmall = useMediaQuery<Theme>(theme => theme.breakpoints.down('md'));
    return (
        <List<Tenant> sort={{ field: 'createdAt', order: 'DESC' }} filters={tenantFilters} exporter={false}>
            {isSmall ? (
                <SimpleList<Tenant>
                    primaryText={record => record.name}
                    tertiaryText={record => <TenantStatusChip status={record.status} />}
                    linkType="edit"
                />
            ) : (
                <DataTable<Tenant> rowClick="edit" bulkActionButtons={false}>
                    <DataTable.Col source="name" />
                    <DataTable.Col source="status" render={record => <TenantStatusChip status={record.status} />} />
                    <DataTable.Col source="createdAt" field={LocaleDateField} />
                </DataTable>
            )}
        </List>
    );
}
