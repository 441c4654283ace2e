import { BooleanInput, maxLength, minValue, NumberInput, required, TextInput } from 'react-admin';

/** Renders the fields of a product, shared by the create and edit forms. */
export function ProductInputs() {
    return (
        <>
            <TextInput source="name" validate={[required(), maxLength(200)]} fullWidth />
            <TextInput source="description" multiline validate={maxLength(2000)} fullWidth />
            <NumberInput source="price" validate={[required(), minValue(0)]} />
            <TextInput source="currency" helperText="charla.products.currency_help" validate={maxLength(3)} />
            <TextInput source="sku" validate={maxLength(64)} />
            <NumberInput source="stock" min={0} helperText="charla.products.stock_help" />
            <TextInput source="imageUrl" type="url" fullWidth />
            <BooleanInput source="active" defaultValue helperText="charla.products.active_help" />
        </>
    );
}
