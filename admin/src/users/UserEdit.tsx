import { DeleteButton, Edit, SaveButton, SimpleForm, Toolbar, useRecordContext } from 'react-admin';
import type { User } from '../types';
import { UserInputs } from './UserInputs';

function UserEditToolbar() {
    const record = useRecordContext<User>();
    return (
        <Toolbar sx={{ justifyContent: 'space-between' }}>
            <SaveButton />
            {record?.active !== false && (
                <DeleteButton
                    mutationMode="pessimistic"
                    label="charla.users.deactivate"
                    confirmTitle="charla.users.deactivate_dialog.title"
                    confirmContent="charla.users.deactivate_dialog.content"
                    successMessage="charla.users.deactivated"
                />
            )}
        </Toolbar>
    );
}

export function UserEdit() {
    return (
        <Edit mutationMode="pessimistic" transform={(data: Partial<User> & { password?: string }) => (data.password ? data : { ...data, password: undefined })}>
            <SimpleForm toolbar={<UserEditToolbar />}>
                <UserInputs mode="edit" />
            </SimpleForm>
        </Edit>
    );
}
