import StarIcon from '@mui/icons-material/Star';
import { useMediaQuery, type Theme } from '@mui/material';
import { DataTable, List, SimpleList } from 'react-admin';
import { LocaleDateField } from '../common/LocaleDateField';
import type { Session } from '../types';
import { SessionEmpty } from './SessionEmpty';
import { SessionStatusChip } from './SessionStatusChip';

export function SessionList() {
    const isSmall = useMediaQuery<Theme>(theme => theme.breakpoints.down('md'));
    return (
        <List<Session> sort={{ field: 'createdAt', order: 'ASC' }} empty={<SessionEmpty />} exporter={false} perPage={50}>
            {isSmall ? (
                <SimpleList<Session>
                    primaryText={record => record.name}
                    secondaryText={record => [record.phoneNumber, record.pushName].filter(Boolean).join(' · ')}
                    tertiaryText={record => <SessionStatusChip status={record.status} />}
                    linkType="show"
                />
            ) : (
                <DataTable<Session> rowClick="show" bulkActionButtons={false}>
                    <DataTable.Col source="name" />
                    <DataTable.Col source="status" render={record => <SessionStatusChip status={record.status} />} />
                    <DataTable.Col source="phoneNumber" disableSort />
                    <DataTable.Col source="pushName" disableSort />
                    <DataTable.Col
                        source="isDefault"
                        disableSort
                        render={record => (record.isDefault ? <StarIcon fontSize="small" color="warning" /> : null)}
                    />
                    <DataTable.Col source="createdAt" field={LocaleDateField} />
                </DataTable>
            )}
        </List>
    );
}
