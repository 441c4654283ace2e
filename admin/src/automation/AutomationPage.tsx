import ArrowDownwardIcon from '@mui/icons-material/ArrowDownward';
import ArrowUpwardIcon from '@mui/icons-material/ArrowUpward';
import { Alert, Button, Card, CardContent, Checkbox, CircularProgress, IconButton, List, ListItem, ListItemText, Stack, TextField, Typography } from '@mui/material';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import {
    ArrayInput,
    BooleanInput,
    Form,
    NumberInput,
    PasswordInput,
    SaveButton,
    SelectInput,
    SimpleFormIterator,
    TextInput,
    Title,
    minLength,
    required,
    useDataProvider,
    useInput,
    useNotify,
    useTranslate,
} from 'react-admin';
import { useErrorNotifier } from '../common/useErrorNotifier';
import type { AutomationMethods, AutomationSettings, HookDecision, HookName } from './types';

export const AUTOMATION_PATH = '/automation';
const QUERY_KEY = ['automation'];
const HOOKS: HookName[] = ['rules', 'llm', 'webhook'];

/** A list of words or phrases edited as one comma-separated line. */
const listFormat = (value: string[] | undefined) => (value ?? []).join(', ');
const listParse = (value: string) => value.split(',').map(item => item.trim()).filter(Boolean);

/** Orders the hooks of the chain and turns each on or off. */
function ChainInput() {
    const translate = useTranslate();
    const { field } = useInput({ source: 'chain' });
    const chain: HookName[] = field.value ?? [];
    const ordered = [...chain, ...HOOKS.filter(hook => !chain.includes(hook))];
    const move = (hook: HookName, offset: number) => {
        const next = [...chain];
        const index = next.indexOf(hook);
        next.splice(index, 1);
        next.splice(Math.max(0, Math.min(next.length, index + offset)), 0, hook);
        field.onChange(next);
    };
    return (
        <List dense aria-label={translate('charla.automation.chain')}>
            {ordered.map(hook => {
                const on = chain.includes(hook);
                const index = chain.indexOf(hook);
                return (
                    <ListItem key={hook} disableGutters>
                        <Checkbox
                            checked={on}
                            inputProps={{ 'aria-label': translate(`charla.automation.hooks.${hook}`) }}
                            onChange={event => field.onChange(event.target.checked ? [...chain, hook] : chain.filter(item => item !== hook))}
                        />
                        <ListItemText primary={translate(`charla.automation.hooks.${hook}`)} secondary={on ? `${index + 1}` : translate('charla.automation.off')} />
                        <IconButton aria-label={translate('charla.automation.move_up')} disabled={!on || index === 0} onClick={() => move(hook, -1)}>
                            <ArrowUpwardIcon />
                        </IconButton>
                        <IconButton aria-label={translate('charla.automation.move_down')} disabled={!on || index === chain.length - 1} onClick={() => move(hook, 1)}>
                            <ArrowDownwardIcon />
                        </IconButton>
                    </ListItem>
                );
            })}
        </List>
    );
}

/** Runs the saved chain on a typed message and shows the bot's reply, without sending anything. */
export function PreviewBox() {
    const translate = useTranslate();
    const dataProvider = useDataProvider() as unknown as AutomationMethods;
    const notifyError = useErrorNotifier();
    const [message, setMessage] = useState('');
    const preview = useMutation({ mutationFn: (text: string) => dataProvider.previewAutomation(text), onError: notifyError });
    const result: HookDecision | undefined = preview.data;
    return (
        <Card>
            <CardContent>
                <Typography variant="h6" gutterBottom>
                    {translate('charla.automation.preview.title')}
                </Typography>
                <Stack direction="row" spacing={1}>
                    <TextField
                        label={translate('charla.automation.preview.message')}
                        value={message}
                        onChange={event => setMessage(event.target.value)}
                        fullWidth
                        size="small"
                    />
                    <Button variant="contained" disabled={!message.trim() || preview.isPending} onClick={() => preview.mutate(message)}>
                        {translate('charla.automation.preview.run')}
                    </Button>
                </Stack>
                {result && (
                    <Alert severity={result.action === 'none' ? 'info' : 'success'} sx={{ mt: 2, whiteSpace: 'pre-wrap' }}>
                        {result.action === 'reply' && translate('charla.automation.preview.reply', { hook: translate(`charla.automation.hooks.${result.hook}`, { _: result.hook }), text: result.text })}
                        {result.action === 'handoff' &&
                            translate('charla.automation.preview.handoff', { reason: translate(`charla.automation.handoff_reasons.${result.reason}`, { _: result.reason }), text: result.text ?? '' })}
                        {result.action === 'none' && translate('charla.automation.preview.none')}
                    </Alert>
                )}
            </CardContent>
        </Card>
    );
}

/** The automation settings of the tenant: the hook chain, its safety limits, each hook's settings, and the test box. */
export function AutomationPage() {
    const translate = useTranslate();
    const dataProvider = useDataProvider() as unknown as AutomationMethods;
    const queryClient = useQueryClient();
    const notify = useNotify();
    const notifyError = useErrorNotifier();
    const { data, isPending } = useQuery({ queryKey: QUERY_KEY, queryFn: () => dataProvider.getAutomation() });
    const mutation = useMutation({
        mutationFn: (values: AutomationSettings) => {
            const { hasApiKey: _hasApiKey, tokensThisMonth: _tokens, apiKey, ...llm } = values.llm;
            const { hasSecret: _hasSecret, secret, ...webhook } = values.webhook;
            // An empty key or secret field keeps the stored one.
            return dataProvider.updateAutomation({
                ...values,
                llm: { ...llm, ...(apiKey ? { apiKey } : {}) } as AutomationSettings['llm'],
                webhook: { ...webhook, ...(secret ? { secret } : {}) } as AutomationSettings['webhook'],
            });
        },
        onSuccess: saved => {
            queryClient.setQueryData(QUERY_KEY, saved);
            notify('charla.automation.saved', { type: 'success' });
        },
        onError: notifyError,
    });

    return (
        <Stack spacing={2} sx={{ mt: 1, maxWidth: 840 }}>
            <Title title="charla.automation.title" />
            <PreviewBox />
            <Card>
                <CardContent>
                    {isPending || !data ? (
                        <CircularProgress />
                    ) : (
                        <Form record={{ ...data, llm: { ...data.llm, apiKey: '' }, webhook: { ...data.webhook, secret: '' } }} onSubmit={(values: Record<string, unknown>) => mutation.mutate(values as unknown as AutomationSettings)}>
                            <BooleanInput source="enabled" label="charla.automation.fields.enabled" helperText="charla.automation.enabled_help" />
                            <Typography variant="h6">{translate('charla.automation.chain')}</Typography>
                            <ChainInput />

                            <Typography variant="h6">{translate('charla.automation.safety')}</Typography>
                            <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
                                <NumberInput source="maxRepliesPerHour" label="charla.automation.fields.maxRepliesPerHour" min={1} validate={required()} />
                                <NumberInput source="botLoopReplies" label="charla.automation.fields.botLoopReplies" min={2} validate={required()} />
                                <NumberInput source="maxMessageAgeMinutes" label="charla.automation.fields.maxMessageAgeMinutes" min={0} validate={required()} />
                            </Stack>
                            <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
                                <NumberInput source="typing.msPerCharacter" label="charla.automation.fields.msPerCharacter" min={0} validate={required()} />
                                <NumberInput source="typing.maxDelayMs" label="charla.automation.fields.maxDelayMs" min={0} validate={required()} />
                            </Stack>
                            <BooleanInput source="replyInGroups" label="charla.automation.fields.replyInGroups" />

                            <Typography variant="h6">{translate('charla.automation.handoff')}</Typography>
                            <TextInput source="handoff.phrases" label="charla.automation.fields.phrases" format={listFormat} parse={listParse} fullWidth />
                            <TextInput source="handoff.reply" label="charla.automation.fields.handoffReply" multiline fullWidth />
                            <BooleanInput source="businessHours.enabled" label="charla.automation.fields.businessHours" helperText="charla.automation.business_hours_help" />
                            <TextInput source="businessHours.outOfHoursReply" label="charla.automation.fields.outOfHoursReply" multiline fullWidth validate={required()} />
                            <SelectInput
                                source="nonText.action"
                                label="charla.automation.fields.nonTextAction"
                                choices={[
                                    { id: 'reply', name: 'charla.automation.non_text.reply' },
                                    { id: 'handoff', name: 'charla.automation.non_text.handoff' },
                                ]}
                                validate={required()}
                            />
                            <TextInput source="nonText.reply" label="charla.automation.fields.nonTextReply" multiline fullWidth />

                            <Typography variant="h6">{translate('charla.automation.hooks.rules')}</Typography>
                            <TextInput source="rules.catalogKeywords" label="charla.automation.fields.catalogKeywords" format={listFormat} parse={listParse} fullWidth />
                            <ArrayInput source="rules.rules" label="charla.automation.fields.rules">
                                <SimpleFormIterator inline>
                                    <SelectInput
                                        source="match"
                                        label="charla.automation.fields.match"
                                        choices={[
                                            { id: 'contains', name: 'charla.automation.match.contains' },
                                            { id: 'regex', name: 'charla.automation.match.regex' },
                                        ]}
                                        defaultValue="contains"
                                        validate={required()}
                                    />
                                    <TextInput source="pattern" label="charla.automation.fields.pattern" validate={required()} />
                                    <TextInput source="reply" label="charla.automation.fields.reply" validate={required()} multiline />
                                </SimpleFormIterator>
                            </ArrayInput>

                            <Typography variant="h6">{translate('charla.automation.hooks.llm')}</Typography>
                            <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
                                <SelectInput
                                    source="llm.provider"
                                    label="charla.automation.fields.provider"
                                    choices={[
                                        { id: 'openai', name: 'charla.automation.providers.openai' },
                                        { id: 'anthropic', name: 'charla.automation.providers.anthropic' },
                                    ]}
                                    validate={required()}
                                />
                                <TextInput source="llm.model" label="charla.automation.fields.model" validate={required()} />
                            </Stack>
                            <TextInput source="llm.baseUrl" label="charla.automation.fields.baseUrl" helperText="charla.automation.base_url_help" parse={(value: string) => value || null} fullWidth />
                            <PasswordInput
                                source="llm.apiKey"
                                label="charla.automation.fields.apiKey"
                                helperText={data.llm.hasApiKey ? 'charla.automation.api_key_stored' : 'charla.automation.api_key_missing'}
                                fullWidth
                            />
                            <TextInput source="llm.systemPrompt" label="charla.automation.fields.systemPrompt" multiline minRows={3} fullWidth />
                            <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
                                <NumberInput source="llm.temperature" label="charla.automation.fields.temperature" min={0} max={2} step={0.1} />
                                <NumberInput source="llm.maxTokens" label="charla.automation.fields.maxTokens" min={16} />
                                <NumberInput source="llm.monthlyTokenBudget" label="charla.automation.fields.monthlyTokenBudget" min={0} helperText="charla.automation.budget_help" />
                            </Stack>
                            <Typography variant="body2" color="text.secondary">
                                {translate('charla.automation.tokens_this_month', { count: data.llm.tokensThisMonth })}
                            </Typography>

                            <Typography variant="h6">{translate('charla.automation.hooks.webhook')}</Typography>
                            <TextInput source="webhook.url" label="charla.automation.fields.webhookUrl" helperText="charla.automation.webhook_hook_help" parse={(value: string) => value || null} fullWidth />
                            <PasswordInput
                                source="webhook.secret"
                                label="charla.automation.fields.webhookSecret"
                                helperText={data.webhook.hasSecret ? 'charla.automation.webhook_secret_stored' : 'charla.automation.webhook_secret_missing'}
                                validate={minLength(16)}
                                fullWidth
                            />

                            <SaveButton disabled={mutation.isPending} />
                        </Form>
                    )}
                </CardContent>
            </Card>
        </Stack>
    );
}
