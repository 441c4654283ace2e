import { useDataProvider } from 'react-admin';
import type { CharlaDataProvider } from '../providers/dataProvider';

/** The data provider with Charla's custom methods typed. */
export function useCharlaDataProvider(): CharlaDataProvider {
    return useDataProvider<CharlaDataProvider>();
}
