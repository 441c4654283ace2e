import { useGetIdentity, useStore } from 'react-admin';

/** Returns whether this user turned on sound and browser alerts, as stored in this browser. */
export function useNotificationPreference(): [boolean, (enabled: boolean) => void] {
    const { identity } = useGetIdentity();
    const [enabled, setEnabled] = useStore<boolean>(`charla.notifications.${identity?.id ?? 'anonymous'}`, false);
    return [enabled, setEnabled];
}

export function browserNotificationsSupported(): boolean {
    return typeof window !== 'undefined' && 'Notification' in window;
}
