import { Chip, useMediaQuery, type Theme } from '@mui/material';
import { BooleanField, DataTable, List, SearchInput, SelectInput, SimpleList, useTranslate } from 'react-admin';
import { LocaleDateField } from '../common/LocaleDateField';
import type { Role, User } from '../types';
import { roleChoices } from './UserInputs';

const userFilters = [
    <SearchInput key="q" source="q" alwaysOn />,
    <SelectInput key="role" source="role" choices={roleChoices(true)} />,
];

export function RoleChip({ role }: { role: Role }) {
    const translate = useTranslate();
    return (
        <Chip
            size="small"
            variant="outlined"
            color={role === 'agent' ? 'default' : 'primary'}
            label={translate(`charla.roles.${role}`)}
        />
    );
}

export function UserList() {
    const isSmall = useMediaQuery<Theme>(theme => theme.breakpoints.down('md'));
    return (
        <List<User> sort={{ field: 'createdAt', order: 'ASC' }} filters={userFilters} exporter={false}>
            {isSmall ? (
                <SimpleList<User>
                    primaryText={record => record.name}
                    secondaryText={record => record.email}
                    tertiaryText={record => <RoleChip role={record.role} />}
                    linkType="edit"
                    rowSx={record => (record.active ? {} : { opacity: 0.5 })}
                />
            ) : (
                <DataTable<User> rowClick="edit" bulkActionButtons={false} rowSx={record => (record.active ? {} : { opacity: 0.5 })}>
                    <DataTable.Col source="name" />
                    <DataTable.Col source="email" />
                    <DataTable.Col source="role" render={record => <RoleChip role={record.role} />} />
                    <DataTable.Col source="active" field={BooleanField} disableSort />
                    <DataTable.Col source="createdAt" field={LocaleDateField} />
                </DataTable>
            )}
        </List>
    );
}
