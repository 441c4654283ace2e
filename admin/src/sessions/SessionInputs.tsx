import { maxLength, required, TextInput } from 'react-admin';

const validateName = [required(), maxLength(80)];

export function SessionInputs() {
    return (
        <TextInput
            source="name"
            validate={validateName}
            helperText="charla.sessions.name_help"
            autoFocus
            fullWidth
        />
    );
}
