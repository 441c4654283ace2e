import { ApiKey } from '../api-keys/api-key.entity';
import { AuditEvent } from '../audit/audit-event.entity';
import { RefreshToken } from '../auth/refresh-token.entity';
import { Contact } from '../messages/contact.entity';
import { Conversation } from '../messages/conversation.entity';
import { Message } from '../messages/message.entity';
import { Tenant } from '../tenants/tenant.entity';
import { User } from '../users/user.entity';
import { WhatsAppSession } from '../whatsapp-sessions/whatsapp-session.entity';

export const ENTITIES = [Tenant, User, WhatsAppSession, Contact, Conversation, Message, RefreshToken, ApiKey, AuditEvent];
