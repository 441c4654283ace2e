import StoreIcon from '@mui/icons-material/Store';
import type { Tenant } from '../types';
import { TenantCreate } from './TenantCreate';
import { TenantEdit } from './TenantEdit';
import { TenantList } from './TenantList';

export default {
    list: TenantList,
    create: TenantCreate,
    edit: TenantEdit,
    icon: StoreIcon,
    recordRepresentation: (record: Tenant) => record.name,
};
