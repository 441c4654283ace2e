import ForumIcon from '@mui/icons-material/Forum';
import type { Conversation } from '../types';
import { contactLabel } from './contactLabel';
import { ConversationList } from './ConversationList';
import { ConversationShow } from './ConversationShow';

export default {
    list: ConversationList,
    show: ConversationShow,
    icon: ForumIcon,
    recordRepresentation: (record: Conversation) => contactLabel(record.contact),
};
