import { BooleanField, CreateButton, DataTable, List, NumberField, SearchInput, TextField, TopToolbar } from 'react-admin';

const filters = [<SearchInput key="q" source="q" alwaysOn />];

/** Lists the catalog with each product's price, stock and whether automatic replies offer it. */
export function ProductList() {
    return (
        <List
            filters={filters}
            sort={{ field: 'name', order: 'ASC' }}
            actions={
                <TopToolbar>
                    <CreateButton />
                </TopToolbar>
            }
        >
            <DataTable rowClick="edit">
                <DataTable.Col source="name" />
                <DataTable.Col source="sku">
                    <TextField source="sku" emptyText="—" />
                </DataTable.Col>
                <DataTable.Col source="price">
                    <NumberField source="price" />
                </DataTable.Col>
                <DataTable.Col source="currency" disableSort />
                <DataTable.Col source="stock">
                    <NumberField source="stock" emptyText="—" />
                </DataTable.Col>
                <DataTable.Col source="active" disableSort>
                    <BooleanField source="active" />
                </DataTable.Col>
            </DataTable>
        </List>
    );
}
