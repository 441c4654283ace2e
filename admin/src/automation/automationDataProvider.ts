import type { DataProvider } from 'react-admin';
import { API_URL } from '../providers/authProvider';
import { httpClient } from '../providers/httpClient';
import type { AutomationMethods } from './types';

/** Adds the automation calls to a data provider. */
export function withAutomation<T extends DataProvider>(base: T, client = httpClient, apiUrl = API_URL): T & AutomationMethods {
    const json = async <R,>(path: string, method = 'GET', body?: unknown): Promise<R> =>
        (await client(`${apiUrl}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) })).json as R;
    const id = (value: string) => encodeURIComponent(value);
    return {
        ...base,
        getAutomation: () => json('/automation'),
        updateAutomation: data => json('/automation', 'PATCH', data),
        previewAutomation: message => json('/automation/preview', 'POST', { message }),
        getConversationAutomation: conversationId => json(`/conversations/${id(conversationId)}/automation`),
        setConversationAutomation: (conversationId, mode) => json(`/conversations/${id(conversationId)}/automation`, 'PUT', { mode }),
        testWebhook: webhookId => json(`/webhooks/${id(webhookId)}/test`, 'POST'),
    };
}
