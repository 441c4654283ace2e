import ScienceIcon from '@mui/icons-material/Science';
import SmartToyIcon from '@mui/icons-material/SmartToy';
import SettingsIcon from '@mui/icons-material/Settings';
import { Menu } from 'react-admin';
import { useAppConfig } from '../common/useAppConfig';
import { useRole } from '../common/useRole';
import { AUTOMATION_PATH } from '../automation/AutomationPage';
import { SANDBOX_PATH } from '../sandbox/SandboxPage';
import { SETTINGS_PATH } from '../settings/SettingsPage';

/** Renders the menu entries the signed-in role may use, and the sandbox only in sandbox mode. */
export function CharlaMenu() {
    const { can } = useRole();
    const { data: config } = useAppConfig();
    return (
        <Menu>
            <Menu.DashboardItem />
            {can('list', 'conversations') && <Menu.ResourceItem name="conversations" />}
            {can('list', 'contacts') && <Menu.ResourceItem name="contacts" />}
            {can('list', 'sessions') && <Menu.ResourceItem name="sessions" />}
            {can('list', 'users') && <Menu.ResourceItem name="users" />}
            {can('list', 'tenants') && <Menu.ResourceItem name="tenants" />}
            {can('list', 'api-keys') && <Menu.ResourceItem name="api-keys" />}
            {can('list', 'audit-events') && <Menu.ResourceItem name="audit-events" />}
            {can('edit', 'automation') && (
                <Menu.Item to={AUTOMATION_PATH} primaryText="charla.menu.automation" leftIcon={<SmartToyIcon />} />
            )}
            {can('list', 'products') && <Menu.ResourceItem name="products" />}
            {can('list', 'webhooks') && <Menu.ResourceItem name="webhooks" />}
            {can('edit', 'settings') && (
                <Menu.Item to={SETTINGS_PATH} primaryText="charla.menu.settings" leftIcon={<SettingsIcon />} />
            )}
            {can('list', 'sandbox') && config?.whatsappMode === 'sandbox' && (
                <Menu.Item to={SANDBOX_PATH} primaryText="charla.menu.sandbox" leftIcon={<ScienceIcon />} />
            )}
        </Menu>
    );
}
