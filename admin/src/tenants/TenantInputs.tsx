import { email, maxLength, minLength, PasswordInput, required, SelectInput, TextInput } from 'react-admin';

export const TENANT_STATUS_CHOICES = [
    { id: 'active', name: 'charla.tenants.status.active' },
    { id: 'suspended', name: 'charla.tenants.status.suspended' },
];

/** Inputs shared by the tenant forms; the first admin's account is asked for only on creation. */
export function TenantInputs({ mode }: { mode: 'create' | 'edit' }) {
    return (
        <>
            <TextInput source="name" validate={[required(), maxLength(120)]} fullWidth />
            {mode === 'create' ? (
                <>
                    <TextInput source="adminEmail" type="email" validate={[required(), email()]} fullWidth />
                    <PasswordInput source="adminPassword" validate={[required(), minLength(8)]} fullWidth />
                </>
            ) : (
                <SelectInput source="status" choices={TENANT_STATUS_CHOICES} validate={required()} />
            )}
        </>
    );
}
