import { Admin, CustomRoutes, localStorageStore, Resource } from 'react-admin';
import { Route } from 'react-router-dom';
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

const store = localStorageStore('1', 'charla');

export function App() {
    return (
        <Admin
            title="Charla"
            dataProvider={dataProvider}
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
            <Resource name="messages" />
            <CustomRoutes>
                <Route path={SETTINGS_PATH} element={<SettingsPage />} />
                <Route path={SANDBOX_PATH} element={<SandboxPage />} />
            </CustomRoutes>
        </Admin>
    );
}
