import KeyIcon from '@mui/icons-material/Key';
import type { ApiKey } from '../types';
import { ApiKeyCreate } from './ApiKeyCreate';
import { ApiKeyList } from './ApiKeyList';

export default {
    list: ApiKeyList,
    create: ApiKeyCreate,
    icon: KeyIcon,
    recordRepresentation: (record: ApiKey) => record.name,
};
