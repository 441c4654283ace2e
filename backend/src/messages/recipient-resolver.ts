import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { tenantParam } from '../common/tenant-context';
import { ConnectionManager } from '../whatsapp-sessions/connection-manager.service';
import { ParsedRecipient, phoneNumberFromJid, whatsAppCandidates } from './phone';

export interface ResolvedRecipient extends ParsedRecipient {
  /** False when no connected session could query WhatsApp, so the outbox queries it before sending. */
  verified: boolean;
}

/** Days a WhatsApp lookup result is reused, because accounts rarely change the number they are registered under. */
const CACHE_DAYS = 30;

/**
 * Finds the WhatsApp account behind a number typed by a tenant. A number that wrote to the tenant
 * or was looked up recently is known; otherwise WhatsApp is asked (`onWhatsApp`) with every form
 * the number may be registered under, so Mexican, Argentine and Brazilian variants reach the real
 * account and stay one contact.
 */
@Injectable()
export class RecipientResolver {
  private readonly logger = new Logger(RecipientResolver.name);

  constructor(
    private readonly em: EntityManager,
    private readonly connections: ConnectionManager,
  ) {}

  /** Resolves a number; a number WhatsApp does not know gives 422 `NOT_ON_WHATSAPP`, naming it as `typed`. */
  async resolve(tenantId: string, sessionId: string, recipient: ParsedRecipient, typed?: string): Promise<ResolvedRecipient> {
    const found = await this.lookup(tenantId, sessionId, recipient.phoneNumber);
    if (found === undefined) return { ...recipient, verified: false };
    if (found === null) throw notOnWhatsApp(recipient.phoneNumber, typed);
    return { ...found, verified: true };
  }

  /**
   * Finds the account of a number, from what is known or from WhatsApp. Returns null when WhatsApp
   * has none, and undefined when no connected session could query it.
   */
  async lookup(tenantId: string, sessionId: string, phoneNumber: string): Promise<ParsedRecipient | null | undefined> {
    const candidates = whatsAppCandidates(phoneNumber);
    const known = await this.known(tenantId, candidates);
    if (known) return known;

    const answers = await this.connections.lookupOnWhatsApp(sessionId, tenantId, candidates);
    if (!answers) return undefined;
    const jid = preferred(answers.map((answer) => answer.jid), candidates);
    this.logger.log({ tenantId, sessionId, candidates: candidates.length, found: Boolean(jid) }, 'Asked WhatsApp for a number');
    if (!jid) return null;

    const account = { jid, phoneNumber: phoneNumberFromJid(jid) ?? phoneNumber };
    await this.remember(tenantId, candidates, jid);
    return account;
  }

  /** Finds a number that wrote to the tenant, or one WhatsApp returned recently. */
  private async known(tenantId: string, candidates: string[]): Promise<ParsedRecipient | undefined> {
    const tenant = tenantParam(tenantId, 'Looking up known WhatsApp numbers');
    const placeholders = candidates.map(() => '?').join(', ');
    const rows = await this.em.fork().getConnection().execute<{ phone_number: string; jid: string }[]>(
      `select phone_number, jid from whatsapp_ids
        where tenant_id = ? and phone_number in (${placeholders}) and checked_at > now() - make_interval(days => ?)
       union all
       select ct.phone_number, ct.jid from contacts ct
        where ct.tenant_id = ? and ct.phone_number in (${placeholders})
          and exists (select 1 from conversations c join messages m on m.conversation_id = c.id
                       where c.contact_id = ct.id and m.direction = 'in')`,
      [tenant, ...candidates, CACHE_DAYS, tenant, ...candidates],
    );
    for (const candidate of candidates) {
      const row = rows.find((entry) => entry.phone_number === candidate);
      // A customer known by LID is still reached through the phone-number JID of its number.
      if (row) return { phoneNumber: candidate, jid: phoneNumberFromJid(row.jid) ? row.jid : `${candidate.slice(1)}@s.whatsapp.net` };
    }
    return undefined;
  }

  private async remember(tenantId: string, candidates: string[], jid: string): Promise<void> {
    const tenant = tenantParam(tenantId, 'Remembering WhatsApp numbers');
    const values = candidates.map(() => '(?, ?, ?, now())').join(', ');
    await this.em.fork().getConnection().execute(
      `insert into whatsapp_ids (tenant_id, phone_number, jid, checked_at) values ${values}
       on conflict (tenant_id, phone_number) do update set jid = excluded.jid, checked_at = excluded.checked_at`,
      candidates.flatMap((candidate) => [tenant, candidate, jid]),
    );
  }
}

/** Picks the JID of the form the tenant typed, then of the other forms in order, then whatever WhatsApp returned. */
function preferred(jids: string[], candidates: string[]): string | undefined {
  for (const candidate of candidates) {
    const match = jids.find((jid) => phoneNumberFromJid(jid) === candidate);
    if (match) return match;
  }
  return jids[0];
}

/** Builds the error for a number without WhatsApp, naming a number typed in another form both ways. */
export function notOnWhatsApp(phoneNumber: string, typed?: string): AppError {
  const shown = typed && typed.trim() !== phoneNumber ? `${typed.trim().slice(0, 64)} (read as ${phoneNumber})` : phoneNumber;
  return AppError.unprocessable('NOT_ON_WHATSAPP', `${shown} has no WhatsApp account. Check the number with the customer; nothing was sent.`);
}
