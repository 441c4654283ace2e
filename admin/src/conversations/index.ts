import ForumIcon from '@mui/icons-material/Forum';
import type { Conversation } from '../types';
import { conversationLabel } from './contactLabel';
import { ConversationList } from './ConversationList';
import { ConversationShow } from './ConversationShow';

export default {
    list: ConversationList,
    show: ConversationShow,
    icon: ForumIcon,
    recordRepresentation: (record: Conversation) => conversationLabel(record),
};
