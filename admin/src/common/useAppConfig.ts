import { useQuery } from '@tanstack/react-query';
import { queryKeys } from '../realtime/queryKeys';
import { useCharlaDataProvider } from './useCharlaDataProvider';

/** Reads the server's mode (`live` or `sandbox`) once per page load. */
export function useAppConfig() {
    const dataProvider = useCharlaDataProvider();
    return useQuery({
        queryKey: queryKeys.config(),
        queryFn: () => dataProvider.getConfig(),
        staleTime: Infinity,
        retry: false,
    });
}
