import { useCallback } from 'react';
import { useNotify } from 'react-admin';
import { errorCodeOf, errorMessageKey } from '../providers/apiError';

/** Shows a translated sentence for an error from the data provider. */
export function useErrorNotifier(): (error: unknown) => void {
    const notify = useNotify();
    return useCallback(
        (error: unknown) => {
            const message =
                error instanceof Error && error.message.startsWith('charla.errors.')
                    ? error.message
                    : errorMessageKey(errorCodeOf(error));
            notify(message, { type: 'error' });
        },
        [notify]
    );
}
