import {
    BooleanInput,
    email,
    maxLength,
    minLength,
    PasswordInput,
    required,
    SelectInput,
    TextInput,
    useGetIdentity,
    useRecordContext,
} from 'react-admin';
import { useRole } from '../common/useRole';
import type { Role, User } from '../types';

/** Lists the roles the signed-in user may assign. Only a superadmin can assign the superadmin role. */
export function roleChoices(canPickSuperadmin: boolean): { id: Role; name: string }[] {
    const roles: Role[] = canPickSuperadmin ? ['superadmin', 'admin', 'agent'] : ['admin', 'agent'];
    return roles.map(role => ({ id: role, name: `charla.roles.${role}` }));
}

export function UserInputs({ mode }: { mode: 'create' | 'edit' }) {
    const { can } = useRole();
    const record = useRecordContext<User>();
    const { identity } = useGetIdentity();
    const isSelf = mode === 'edit' && record && identity && String(record.id) === String(identity.id);
    const choices = roleChoices(can('pick_superadmin', 'users'));
    // An admin editing a superadmin sees the role, read-only, because the choices lack it.
    const lockedSuperadmin = record?.role === 'superadmin' && !choices.some(choice => choice.id === 'superadmin');

    return (
        <>
            {mode === 'create' ? (
                <TextInput source="email" type="email" validate={[required(), email()]} fullWidth />
            ) : (
                <TextInput source="email" disabled fullWidth />
            )}
            <TextInput source="name" validate={[required(), maxLength(120)]} fullWidth />
            <SelectInput
                source="role"
                choices={lockedSuperadmin ? roleChoices(true) : choices}
                validate={required()}
                defaultValue="agent"
                disabled={!!isSelf || lockedSuperadmin}
                helperText={isSelf ? 'charla.users.own_role' : false}
            />
            {mode === 'edit' && <BooleanInput source="active" disabled={!!isSelf} />}
            <PasswordInput
                source="password"
                validate={mode === 'create' ? [required(), minLength(8)] : [minLength(8)]}
                helperText={mode === 'edit' ? 'charla.users.password_help' : false}
                fullWidth
            />
        </>
    );
}
