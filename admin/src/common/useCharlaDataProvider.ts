import { useDataProvider } from 'react-admin';
import type { CharlaDataProvider } from '../providers/dataProvider';

/** Returns the data provider typed with Charla's custom methods. */
export function useCharlaDataProvider(): CharlaDataProvider {
    return useDataProvider<CharlaDataProvider>();
}
