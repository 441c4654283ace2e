import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

// jsdom has no matchMedia, which MUI's useMediaQuery needs. This one reports a wide screen.
if (!window.matchMedia) {
    window.matchMedia = (query: string) =>
        ({
            matches: /min-width/.test(query),
            media: query,
            onchange: null,
            addListener: () => undefined,
            removeListener: () => undefined,
            addEventListener: () => undefined,
            removeEventListener: () => undefined,
            dispatchEvent: () => false,
        }) as MediaQueryList;
}

afterEach(() => {
    cleanup();
    localStorage.clear();
});
