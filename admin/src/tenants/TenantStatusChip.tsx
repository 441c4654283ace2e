import { Chip } from '@mui/material';
import { useTranslate } from 'react-admin';
import type { Tenant } from '../types';

export function TenantStatusChip({ status }: { status: Tenant['status'] }) {
    const translate = useTranslate();
    return (
        <Chip
            size="small"
            color={status === 'active' ? 'success' : 'warning'}
            label={translate(`charla.tenants.status.${status}`)}
        />
    );
}
