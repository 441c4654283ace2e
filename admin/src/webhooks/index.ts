import WebhookIcon from '@mui/icons-material/Webhook';
import { WebhookCreate, WebhookEdit, WebhookList } from './WebhookViews';

export default {
    list: WebhookList,
    create: WebhookCreate,
    edit: WebhookEdit,
    icon: WebhookIcon,
    recordRepresentation: 'url',
};
