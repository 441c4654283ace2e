import { useMediaQuery, type Theme } from '@mui/material';
import { DataTable, List, SearchInput, SimpleList, useTranslate } from 'react-admin';
import { LocaleDateField } from '../common/LocaleDateField';
import type { Contact } from '../types';

export function ContactList() {
    const translate = useTranslate();
    const contactFilters = [<SearchInput key="q" source="q" alwaysOn placeholder={translate('charla.contacts.search')} />];
    const isSmall = useMediaQuery<Theme>(theme => theme.breakpoints.down('md'));
    return (
        <List<Contact> sort={{ field: 'createdAt', order: 'DESC' }} filters={contactFilters} exporter={false} perPage={25}>
            {isSmall ? (
                <SimpleList<Contact>
                    primaryText={record => record.name || record.phoneNumber || ''}
                    secondaryText={record => (record.name ? record.phoneNumber ?? '' : '')}
                    linkType="show"
                />
            ) : (
                <DataTable<Contact> rowClick="show" bulkActionButtons={false}>
                    <DataTable.Col source="name" />
                    <DataTable.Col source="phoneNumber" />
                    <DataTable.Col source="createdAt" field={LocaleDateField} />
                </DataTable>
            )}
        </List>
    );
}
