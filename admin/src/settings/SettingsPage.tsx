import { Card, CardContent, CircularProgress, Stack, Typography } from '@mui/material';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
    AutocompleteInput,
    BooleanInput,
    Form,
    maxLength,
    required,
    SaveButton,
    SelectInput,
    TextInput,
    Title,
    useNotify,
    useTranslate,
} from 'react-admin';
import { useCharlaDataProvider } from '../common/useCharlaDataProvider';
import { useErrorNotifier } from '../common/useErrorNotifier';
import { NotificationsSetting } from '../notifications/NotificationsToggle';
import { BusinessProfileInputs } from './BusinessProfileInputs';
import { queryKeys } from '../realtime/queryKeys';
import type { TenantSettings } from '../types';

export const SETTINGS_PATH = '/settings';

/** Latin American zones first; the browser's full list after them when it has one. */
const PREFERRED_TIME_ZONES = [
    'America/Bogota',
    'America/Mexico_City',
    'America/Lima',
    'America/Guayaquil',
    'America/Caracas',
    'America/Santiago',
    'America/Argentina/Buenos_Aires',
    'America/Sao_Paulo',
    'America/Montevideo',
    'America/Asuncion',
    'America/La_Paz',
    'America/Guatemala',
    'America/Costa_Rica',
    'America/El_Salvador',
    'America/Tegucigalpa',
    'America/Managua',
    'America/Panama',
    'America/Santo_Domingo',
    'America/Havana',
    'America/Puerto_Rico',
    'Europe/Madrid',
    'UTC',
];

export function timeZoneChoices(): { id: string; name: string }[] {
    const intl = Intl as typeof Intl & { supportedValuesOf?: (key: string) => string[] };
    const all = intl.supportedValuesOf ? intl.supportedValuesOf('timeZone') : [];
    const zones = [...new Set([...PREFERRED_TIME_ZONES, ...all])];
    return zones.map(zone => ({ id: zone, name: zone.replace(/_/g, ' ') }));
}

const CURRENCIES = ['COP', 'MXN', 'PEN', 'CLP', 'ARS', 'BRL', 'UYU', 'PYG', 'BOB', 'GTQ', 'HNL', 'NIO', 'CRC', 'PAB', 'DOP', 'VES', 'USD', 'EUR'];
const CURRENCY_CHOICES = CURRENCIES.map(code => ({ id: code, name: `charla.settings.currencies.${code}` }));
const POLICY_CHOICES = [
    { id: 'store', name: 'charla.settings.policies.store' },
    { id: 'ignore', name: 'charla.settings.policies.ignore' },
];
const LANGUAGE_CHOICES = [
    { id: 'es', name: 'charla.settings.languages.es' },
    { id: 'en', name: 'charla.settings.languages.en' },
];

/** Renders the business settings: name, time zone, language, currency, and which messages are kept and how. */
export function SettingsPage() {
    const translate = useTranslate();
    const dataProvider = useCharlaDataProvider();
    const queryClient = useQueryClient();
    const notify = useNotify();
    const notifyError = useErrorNotifier();
    const { data, isPending } = useQuery({ queryKey: queryKeys.settings(), queryFn: () => dataProvider.getSettings() });
    const mutation = useMutation({
        mutationFn: (values: TenantSettings) => dataProvider.updateSettings(values),
        onSuccess: saved => {
            queryClient.setQueryData(queryKeys.settings(), saved);
            notify('charla.settings.saved', { type: 'success' });
        },
        onError: notifyError,
    });

    return (
        <Stack spacing={2} sx={{ mt: 1, maxWidth: 720 }}>
            <Title title="charla.settings.title" />
            <Card>
                <CardContent>
                    <Typography variant="h6" gutterBottom>
                        {translate('charla.settings.business')}
                    </Typography>
                    {isPending || !data ? (
                        <CircularProgress />
                    ) : (
                        <Form record={data} onSubmit={(values: Record<string, unknown>) => mutation.mutate(values as unknown as TenantSettings)}>
                            <TextInput source="name" label="charla.settings.fields.name" validate={[required(), maxLength(120)]} fullWidth />
                            <AutocompleteInput
                                source="timeZone"
                                label="charla.settings.fields.timeZone"
                                choices={timeZoneChoices()}
                                validate={required()}
                                fullWidth
                            />
                            <SelectInput
                                source="language"
                                label="charla.settings.fields.language"
                                choices={LANGUAGE_CHOICES}
                                validate={required()}
                                helperText="charla.settings.language_help"
                            />
                            <SelectInput
                                source="currency"
                                label="charla.settings.fields.currency"
                                choices={CURRENCY_CHOICES}
                                validate={required()}
                            />
                            <Typography variant="subtitle1" sx={{ mt: 2 }}>
                                {translate('charla.settings.messages')}
                            </Typography>
                            <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
                                <SelectInput source="groups" label="charla.settings.fields.groups" choices={POLICY_CHOICES} validate={required()} />
                                <SelectInput source="statuses" label="charla.settings.fields.statuses" choices={POLICY_CHOICES} validate={required()} />
                                <SelectInput source="channels" label="charla.settings.fields.channels" choices={POLICY_CHOICES} validate={required()} />
                            </Stack>
                            <BooleanInput source="readReceipts" label="charla.settings.fields.readReceipts" helperText="charla.settings.read_receipts_help" />
                            <BooleanInput source="fullHistorySync" label="charla.settings.fields.fullHistorySync" helperText="charla.settings.full_history_help" />
                            <BusinessProfileInputs />
                            <SaveButton disabled={mutation.isPending} />
                        </Form>
                    )}
                </CardContent>
            </Card>
            <NotificationsSetting />
        </Stack>
    );
}
