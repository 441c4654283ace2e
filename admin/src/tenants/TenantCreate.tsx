import { Create, SimpleForm } from 'react-admin';
import { TenantInputs } from './TenantInputs';

export function TenantCreate() {
    return (
        <Create redirect="list">
            <SimpleForm>
                <TenantInputs mode="create" />
            </SimpleForm>
        </Create>
    );
}
