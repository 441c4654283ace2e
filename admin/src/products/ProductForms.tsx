import { Create, Edit, SimpleForm } from 'react-admin';
import { ProductInputs } from './ProductInputs';

export function ProductCreate() {
    return (
        <Create redirect="list">
            <SimpleForm>
                <ProductInputs />
            </SimpleForm>
        </Create>
    );
}

export function ProductEdit() {
    return (
        <Edit mutationMode="pessimistic">
            <SimpleForm>
                <ProductInputs />
            </SimpleForm>
        </Edit>
    );
}
