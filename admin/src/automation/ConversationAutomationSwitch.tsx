import { FormControlLabel, Switch, Tooltip } from '@mui/material';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useDataProvider, useTranslate } from 'react-admin';
import { useErrorNotifier } from '../common/useErrorNotifier';
import type { AutomationMethods, ConversationAutomation } from './types';

/** Switches one conversation between automatic replies (bot) and a human agent. */
export function ConversationAutomationSwitch({ conversationId }: { conversationId: string }) {
    const translate = useTranslate();
    const dataProvider = useDataProvider() as unknown as AutomationMethods;
    const queryClient = useQueryClient();
    const notifyError = useErrorNotifier();
    const queryKey = ['conversation-automation', conversationId];
    const { data } = useQuery({ queryKey, queryFn: () => dataProvider.getConversationAutomation(conversationId) });
    const mutation = useMutation({
        mutationFn: (mode: 'bot' | 'human') => dataProvider.setConversationAutomation(conversationId, mode),
        onSuccess: (saved: ConversationAutomation) => queryClient.setQueryData(queryKey, saved),
        onError: notifyError,
    });
    if (!data) return null;

    const bot = data.mode === 'bot';
    const reason = data.reason ? translate(`charla.automation.handoff_reasons.${data.reason}`, { _: data.reason }) : '';
    return (
        <Tooltip title={bot ? translate('charla.automation.switch.bot_help') : translate('charla.automation.switch.human_help', { reason })}>
            <FormControlLabel
                control={<Switch checked={bot} disabled={mutation.isPending} onChange={event => mutation.mutate(event.target.checked ? 'bot' : 'human')} />}
                label={bot ? translate('charla.automation.switch.bot') : translate('charla.automation.switch.human')}
            />
        </Tooltip>
    );
}
