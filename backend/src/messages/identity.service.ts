import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { tenantParam } from '../common/tenant-context';
import { RealtimeEvents } from '../realtime/realtime-events';
import { phoneNumberFromJid } from './phone';

export interface ChatIdentity {
  /** The JID conversations are keyed by: the phone-number JID when known, else the LID. */
  jid: string;
  phoneNumber: string | null;
  lid: string | null;
}

/**
 * One contact per person whether WhatsApp names them by phone number or by LID. A message that
 * carries both records the mapping. When the person already has a LID-only contact, that contact's
 * conversations and messages move to the phone-number contact (`conversation.merged`).
 */
@Injectable()
export class IdentityService {
  private readonly logger = new Logger(IdentityService.name);

  constructor(
    private readonly em: EntityManager,
    private readonly realtime: RealtimeEvents,
  ) {}

  /** Resolves the chat of a one-to-one message from the JIDs Baileys reports for it. */
  async resolve(tenantId: string, phoneJid: string | undefined, lidJid: string | undefined): Promise<ChatIdentity | undefined> {
    if (phoneJid && lidJid) {
      await this.learn(tenantId, lidJid, phoneJid);
      return { jid: phoneJid, phoneNumber: phoneNumberFromJid(phoneJid), lid: lidJid };
    }
    if (phoneJid) return { jid: phoneJid, phoneNumber: phoneNumberFromJid(phoneJid), lid: null };
    if (!lidJid) return undefined;

    // A LID alone: use the person's phone-number contact when the mapping is already known.
    const [known] = await this.execute<{ jid: string; phone_number: string | null }>(this.em, 'select jid, phone_number from contacts where tenant_id = ? and lid = ?', [tenantParam(tenantId, 'Looking up a contact by LID'), lidJid]);
    if (known) return { jid: known.jid, phoneNumber: known.phone_number, lid: lidJid };
    // NOTE: a LID is never shown as a number; the contact has no phone number until WhatsApp reveals it.
    return { jid: lidJid, phoneNumber: null, lid: lidJid };
  }

  /** Records that `lidJid` and `phoneJid` are one person, merging a LID-only contact into the other. */
  async learn(tenantId: string, lidJid: string, phoneJid: string): Promise<void> {
    const tenant = tenantParam(tenantId, 'Recording a LID mapping');
    const merges = await this.em.fork().transactional(async (em) => {
      const [lidContact] = await this.execute<{ id: string }>(em, 'select id from contacts where tenant_id = ? and jid = ? for update', [tenant, lidJid]);
      const [phoneContact] = await this.execute<{ id: string; lid: string | null }>(em, 'select id, lid from contacts where tenant_id = ? and jid = ? for update', [tenant, phoneJid]);

      if (!lidContact) {
        if (phoneContact && phoneContact.lid !== lidJid) {
          await this.execute(em, 'update contacts set lid = null where tenant_id = ? and lid = ? and id <> ?', [tenant, lidJid, phoneContact.id]);
          await this.execute(em, 'update contacts set lid = ?, updated_at = now() where tenant_id = ? and id = ?', [lidJid, tenant, phoneContact.id]);
        }
        return [];
      }

      if (!phoneContact) {
        // The LID contact simply learns its number.
        await this.execute(em, 'update contacts set jid = ?, phone_number = ?, lid = ?, updated_at = now() where tenant_id = ? and id = ?', [phoneJid, phoneNumberFromJid(phoneJid), lidJid, tenant, lidContact.id]);
        await this.execute(em, 'update conversations set chat_jid = ? where tenant_id = ? and contact_id = ?', [phoneJid, tenant, lidContact.id]);
        await this.execute(em, 'update messages set chat_jid = ? where chat_jid = ? and tenant_id = ?', [phoneJid, lidJid, tenant]);
        return [];
      }

      return this.mergeContacts(em, tenantId, lidContact.id, phoneContact.id, lidJid, phoneJid);
    });

    for (const merge of merges) {
      this.logger.log({ tenantId, from: merge.from, into: merge.into }, 'Merged a LID conversation into the phone-number conversation');
      this.realtime.publish(tenantId, 'conversation.merged', merge);
    }
  }

  private async mergeContacts(em: EntityManager, tenantId: string, fromContact: string, intoContact: string, lidJid: string, phoneJid: string): Promise<{ from: string; into: string }[]> {
    const tenant = tenantParam(tenantId, 'Merging a LID contact');
    const merges: { from: string; into: string }[] = [];
    const conversations = await this.execute<{ id: string; session_id: string }>(em, 'select id, session_id from conversations where tenant_id = ? and contact_id = ?', [tenant, fromContact]);

    for (const conversation of conversations) {
      const [target] = await this.execute<{ id: string }>(em, 'select id from conversations where tenant_id = ? and session_id = ? and contact_id = ?', [tenant, conversation.session_id, intoContact]);
      if (!target) {
        await this.execute(em, 'update conversations set contact_id = ?, chat_jid = ? where tenant_id = ? and id = ?', [intoContact, phoneJid, tenant, conversation.id]);
        await this.execute(em, 'update messages set chat_jid = ? where tenant_id = ? and conversation_id = ?', [phoneJid, tenant, conversation.id]);
        continue;
      }

      // Messages keep their WhatsApp ids; one already present under the phone JID is the same message.
      await this.execute(
        em,
        `delete from messages m where m.tenant_id = ? and m.conversation_id = ? and exists (
           select 1 from messages o where o.session_id = m.session_id and o.chat_jid = ? and o.wa_message_id = m.wa_message_id and o.direction = m.direction)`,
        [tenant, conversation.id, phoneJid],
      );
      await this.execute(em, 'update messages set conversation_id = ?, chat_jid = ? where tenant_id = ? and conversation_id = ?', [target.id, phoneJid, tenant, conversation.id]);
      await this.execute(
        em,
        `update conversations t set
           unread_count = t.unread_count + f.unread_count,
           last_message_at = greatest(t.last_message_at, f.last_message_at),
           last_message_preview = case when f.last_message_at > coalesce(t.last_message_at, '-infinity') then f.last_message_preview else t.last_message_preview end,
           updated_at = now()
         from conversations f where t.tenant_id = ? and t.id = ? and f.tenant_id = ? and f.id = ?`,
        [tenant, target.id, tenant, conversation.id],
      );
      await this.execute(em, 'delete from conversations where tenant_id = ? and id = ?', [tenant, conversation.id]);
      merges.push({ from: conversation.id, into: target.id });
    }

    await this.execute(em, 'delete from contacts where tenant_id = ? and id = ?', [tenant, fromContact]);
    await this.execute(em, 'update contacts set lid = ?, updated_at = now() where tenant_id = ? and id = ?', [lidJid, tenant, intoContact]);
    return merges;
  }

  private execute<T = unknown>(em: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
    return em.getConnection().execute<T[]>(sql, params, 'all', em.getTransactionContext());
  }
}
