import type { ReactNode } from 'react';
import { Layout } from 'react-admin';
import { LiveAlerts } from '../notifications/LiveAlerts';
import { RealtimeProvider } from '../realtime/RealtimeProvider';
import { CharlaAppBar } from './CharlaAppBar';
import { CharlaMenu } from './CharlaMenu';

/** Wraps react-admin's layout in the app's single realtime connection. */
export function CharlaLayout({ children }: { children: ReactNode }) {
    return (
        <RealtimeProvider>
            <Layout appBar={CharlaAppBar} menu={CharlaMenu}>
                {children}
                <LiveAlerts />
            </Layout>
        </RealtimeProvider>
    );
}
