import { Migration20261204000000Initial } from './Migration20261204000000_initial';
import { Migration20261204010000OutboxAndOwnership } from './Migration20261204010000_outbox_and_ownership';
import { Migration20261204020000MessageDetails } from './Migration20261204020000_message_details';
import { Migration20261204030000ContactLids } from './Migration20261204030000_contact_lids';
import { Migration20261204040000GroupChats } from './Migration20261204040000_group_chats';
import { Migration20261204050000RecipientsAndReads } from './Migration20261204050000_recipients_and_reads';
import { Migration20261205000000WhatsappAuthKeys } from './Migration20261205000000_whatsapp_auth_keys';
import { Migration20261205100000AuthHardening } from './Migration20261205100000_auth_hardening';
import { Migration20261205300000AiHooks } from './Migration20261205300000_ai_hooks';
import { Migration20261205200000Media } from './Migration20261205200000_media';
import { Migration20261205400000RateLimits } from './Migration20261205400000_rate_limits';
import { Migration20261205500000WebhookHookSecret } from './Migration20261205500000_webhook_hook_secret';

/** Every migration in order. Listed by hand so that the compiled app and the tests find the same set. */
export const MIGRATIONS = [
  { name: 'Migration20261204000000_initial', class: Migration20261204000000Initial },
  { name: 'Migration20261204010000_outbox_and_ownership', class: Migration20261204010000OutboxAndOwnership },
  { name: 'Migration20261204020000_message_details', class: Migration20261204020000MessageDetails },
  { name: 'Migration20261204030000_contact_lids', class: Migration20261204030000ContactLids },
  { name: 'Migration20261204040000_group_chats', class: Migration20261204040000GroupChats },
  { name: 'Migration20261204050000_recipients_and_reads', class: Migration20261204050000RecipientsAndReads },
  { name: 'Migration20261205000000_whatsapp_auth_keys', class: Migration20261205000000WhatsappAuthKeys },
  { name: 'Migration20261205100000_auth_hardening', class: Migration20261205100000AuthHardening },
  { name: 'Migration20261205300000_ai_hooks', class: Migration20261205300000AiHooks },
  { name: 'Migration20261205200000_media', class: Migration20261205200000Media },
  { name: 'Migration20261205400000_rate_limits', class: Migration20261205400000RateLimits },
  { name: 'Migration20261205500000_webhook_hook_secret', class: Migration20261205500000WebhookHookSecret },
];
