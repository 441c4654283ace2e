import ContentCopyIcon from '@mui/icons-material/ContentCopy';
import { Alert, Box, Button, Card, CardContent, TextField as MuiTextField, Typography } from '@mui/material';
import { useState } from 'react';
import { Create, Link, maxLength, required, SelectInput, SimpleForm, TextInput, useNotify, useTranslate } from 'react-admin';
import type { CreatedApiKey } from '../types';

const ROLE_CHOICES = [
    { id: 'agent', name: 'charla.roles.agent' },
    { id: 'admin', name: 'charla.roles.admin' },
];

/** Shows a new key with a copy button. This is the only time it is shown, because the server keeps only its hash. */
function CreatedKeyPanel({ apiKey }: { apiKey: CreatedApiKey }) {
    const translate = useTranslate();
    const notify = useNotify();
    const copy = async () => {
        try {
            await navigator.clipboard.writeText(apiKey.key);
            notify('charla.api_keys.copied', { type: 'success' });
        } catch {
            notify('charla.api_keys.copy_failed', { type: 'warning' });
        }
    };
    return (
        <Card sx={{ mt: 2 }}>
            <CardContent>
                <Typography variant="h6" component="h2" gutterBottom>
                    {translate('charla.api_keys.created_title', { name: apiKey.name })}
                </Typography>
                <Alert severity="warning" sx={{ mb: 2 }}>
                    {translate('charla.api_keys.shown_once')}
                </Alert>
                <Box sx={{ display: 'flex', gap: 1, alignItems: 'center' }}>
                    <MuiTextField
                        value={apiKey.key}
                        label={translate('charla.api_keys.key')}
                        fullWidth
                        slotProps={{ input: { readOnly: true, sx: { fontFamily: 'monospace' } } }}
                        onFocus={event => event.target.select()}
                    />
                    <Button variant="contained" startIcon={<ContentCopyIcon />} onClick={() => void copy()}>
                        {translate('charla.api_keys.copy')}
                    </Button>
                </Box>
                <Typography variant="body2" color="text.secondary" sx={{ mt: 2 }}>
                    {translate('charla.api_keys.usage')}
                </Typography>
                <Button component={Link} to="/api-keys" sx={{ mt: 2 }}>
                    {translate('charla.api_keys.done')}
                </Button>
            </CardContent>
        </Card>
    );
}

export function ApiKeyCreate() {
    const [created, setCreated] = useState<CreatedApiKey | null>(null);
    if (created) return <CreatedKeyPanel apiKey={created} />;
    return (
        <Create redirect={false} mutationOptions={{ onSuccess: (data: CreatedApiKey) => setCreated(data) }}>
            <SimpleForm defaultValues={{ role: 'agent' }}>
                <TextInput source="name" validate={[required(), maxLength(100)]} helperText="charla.api_keys.name_help" fullWidth />
                <SelectInput source="role" choices={ROLE_CHOICES} validate={required()} helperText="charla.api_keys.role_help" />
            </SimpleForm>
        </Create>
    );
}
