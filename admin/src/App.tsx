import { Admin, CustomRoutes, localStorageStore, Resource } from 'react-admin';
import { Route } from 'react-router-dom';
import apiKeys from './api-keys';
import auditEvents from './audit';
import { AUTOMATION_PATH, AutomationPage } from './automation/AutomationPage';
import { withAutomation } from './automation/automationDataProvider';
import contacts from './contacts';
import conversations from './conversations';
import { Dashboard } from './dashboard/Dashboard';
import { CharlaLayout } from './layout/CharlaLayout';
import { LoginPage } from './layout/LoginPage';
import { darkTheme, lightTheme } from './layout/theme';
import { authProvider } from './providers/authProvider';
import { dataProvider } from './providers/dataProvider';
import { i18nProvider } from './providers/i18nProvider';
import { SANDBOX_PATH, SandboxPage } from './sandbox/SandboxPage';
import sessions from './sessions';
import { SETTINGS_PATH, SettingsPage } from './settings/SettingsPage';
import tenants from './tenants';
import users from './users';
import products from './products';
import webhooks from './webhooks';

const store = localStorageStore('1', 'charla');

export function App() {
    return (
        <Admin
            title="Charla"
            dataProvider={withAutomation(dataProvider)}
            authProvider={authProvider}
            i18nProvider={i18nProvider}
            store={store}
            layout={CharlaLayout}
            loginPage={LoginPage}
            dashboard={Dashboard}
            theme={lightTheme}
            darkTheme={darkTheme}
            requireAuth
            disableTelemetry
        >
            <Resource name="conversations" {...conversations} />
            <Resource name="contacts" {...contacts} />
            <Resource name="sessions" {...sessions} />
            <Resource name="users" {...users} />
            <Resource name="tenants" {...tenants} />
            <Resource name="api-keys" {...apiKeys} />
            <Resource name="audit-events" {...auditEvents} />
            <Resource name="messages" />
            <Resource name="products" {...products} />
            <Resource name="webhooks" {...webhooks} />
            <Resource name="webhook-deliveries" />
            <CustomRoutes>
                <Route path={SETTINGS_PATH} element={<SettingsPage />} />
                <Route path={SANDBOX_PATH} element={<SandboxPage />} />
                <Route path={AUTOMATION_PATH} element={<AutomationPage />} />
            </CustomRoutes>
        </Admin>
    );
}
