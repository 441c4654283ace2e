import { QueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { AdminContext, memoryStore, type AuthProvider, type DataProvider } from 'react-admin';
import { canAccess } from '../providers/canAccess';
import { i18nProvider } from '../providers/i18nProvider';
import { RealtimeProvider } from '../realtime/RealtimeProvider';
import type { Role } from '../types';
import { FakeSocket } from './fakeSocket';

export function testQueryClient(): QueryClient {
    return new QueryClient({ defaultOptions: { queries: { retry: false, gcTime: Infinity } } });
}

export function fakeAuthProvider(role: Role = 'admin'): AuthProvider {
    return {
        login: async () => undefined,
        logout: async () => undefined,
        checkAuth: async () => undefined,
        checkError: async () => undefined,
        getIdentity: async () => ({ id: 'user-1', fullName: 'Ana' }),
        getPermissions: async () => role,
        canAccess: async ({ action, resource }) => canAccess(role, { action, resource }),
    };
}

export interface TestAdminOptions {
    dataProvider?: Partial<DataProvider> & Record<string, unknown>;
    role?: Role;
    locale?: 'es' | 'en';
    queryClient?: QueryClient;
    socket?: FakeSocket;
}

/** Wraps a component in react-admin's contexts, the realtime provider on a fake socket, and a chosen language. */
export function TestAdmin({ children, dataProvider = {}, role = 'admin', locale = 'es', queryClient, socket }: TestAdminOptions & { children: ReactNode }) {
    const [store] = useState(() => memoryStore({ locale }));
    const [fake] = useState(() => socket ?? new FakeSocket());
    const [client] = useState(() => queryClient ?? testQueryClient());
    const [socketFactory] = useState(() => () => fake.asSocket());
    return (
        <AdminContext
            dataProvider={dataProvider as DataProvider}
            authProvider={fakeAuthProvider(role)}
            i18nProvider={i18nProvider}
            store={store}
            queryClient={client}
        >
            <RealtimeProvider token="test-token" socketFactory={socketFactory}>
                {children}
            </RealtimeProvider>
        </AdminContext>
    );
}
