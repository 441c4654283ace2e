import { Box, Typography } from '@mui/material';
import { email, Login, LoginForm, PasswordInput, required, TextInput, useTranslate } from 'react-admin';

/** Renders react-admin's login page with an email field, which the API expects, instead of a username. */
export function LoginPage() {
    const translate = useTranslate();
    return (
        <Login>
            <Box sx={{ textAlign: 'center', px: 2 }}>
                <Typography variant="h5" component="h1">
                    Charla
                </Typography>
                <Typography variant="body2" color="text.secondary">
                    {translate('charla.auth.tagline')}
                </Typography>
            </Box>
            <LoginForm>
                <TextInput
                    autoFocus
                    source="email"
                    type="email"
                    label="ra.auth.email"
                    autoComplete="username"
                    validate={[required(), email()]}
                />
                <PasswordInput source="password" label="ra.auth.password" autoComplete="current-password" validate={required()} />
            </LoginForm>
        </Login>
    );
}
