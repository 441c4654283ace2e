import PhonelinkRingIcon from '@mui/icons-material/PhonelinkRing';
import type { Session } from '../types';
import { SessionCreate } from './SessionCreate';
import { SessionList } from './SessionList';
import { SessionShow } from './SessionShow';

export default {
    list: SessionList,
    create: SessionCreate,
    show: SessionShow,
    icon: PhonelinkRingIcon,
    recordRepresentation: (record: Session) => record.name,
};
