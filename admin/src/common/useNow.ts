import { useEffect, useState } from 'react';

/** Returns the current time in milliseconds, refreshed every `intervalMs` while `active`. */
export function useNow(intervalMs = 1000, active = true): number {
    const [now, setNow] = useState(() => Date.now());
    useEffect(() => {
        if (!active) return;
        setNow(Date.now());
        const timer = setInterval(() => setNow(Date.now()), intervalMs);
        return () => clearInterval(timer);
    }, [intervalMs, active]);
    return now;
}

/** Returns the whole seconds from `now` until `isoDate`, never below zero. */
export function secondsUntil(isoDate: string | null | undefined, now: number): number {
    if (!isoDate) return 0;
    const target = new Date(isoDate).getTime();
    if (Number.isNaN(target)) return 0;
    return Math.max(0, Math.ceil((target - now) / 1000));
}

/** Formats a countdown as `m:ss`. */
export function formatCountdown(totalSeconds: number): string {
    const minutes = Math.floor(totalSeconds / 60);
    const seconds = totalSeconds % 60;
    return `${minutes}:${String(seconds).padStart(2, '0')}`;
}
