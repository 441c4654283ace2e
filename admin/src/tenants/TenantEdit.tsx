import { Edit, SimpleForm } from 'react-admin';
import { TenantInputs } from './TenantInputs';

export function TenantEdit() {
    return (
        <Edit mutationMode="pessimistic">
            <SimpleForm>
                <TenantInputs mode="edit" />
            </SimpleForm>
        </Edit>
    );
}
