import { AppBar, LoadingIndicator, LocalesMenuButton, TitlePortal } from 'react-admin';
import { NotificationsToggle } from '../notifications/NotificationsToggle';
import { RealtimeIndicator } from './RealtimeIndicator';

export function CharlaAppBar() {
    return (
        <AppBar
            color="primary"
            toolbar={
                <>
                    <RealtimeIndicator />
                    <NotificationsToggle />
                    <LocalesMenuButton />
                    <LoadingIndicator />
                </>
            }
        >
            <TitlePortal />
        </AppBar>
    );
}
