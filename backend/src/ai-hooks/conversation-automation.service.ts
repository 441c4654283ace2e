import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { RealtimeEvents } from '../realtime/realtime-events';

export interface ConversationAutomationView {
  conversationId: string;
  /** `bot`: automatic replies on; `human`: stopped until an agent turns them back on. */
  mode: 'bot' | 'human';
  reason: string | null;
  since: string | null;
}

interface PauseRow {
  id: string;
  session_id: string;
  automation_paused: boolean;
  automation_paused_reason: string | null;
  automation_paused_at: Date | null;
}

/** The per-conversation switch between automatic replies and a human agent. */
@Injectable()
export class ConversationAutomationService {
  private readonly logger = new Logger(ConversationAutomationService.name);

  constructor(
    private readonly em: EntityManager,
    private readonly realtime: RealtimeEvents,
  ) {}

  async get(tenantId: string, conversationId: string): Promise<ConversationAutomationView> {
    return toView(await this.find(tenantId, conversationId));
  }

  /** Sets the mode from the panel or the API; `human` announces a handoff like the bot does. */
  async set(tenantId: string, conversationId: string, mode: 'bot' | 'human', actor: string): Promise<ConversationAutomationView> {
    const current = await this.find(tenantId, conversationId);
    if (mode === 'bot') {
      await this.em.getConnection().execute(
        'update conversations set automation_paused = false, automation_paused_reason = null, automation_paused_at = null, updated_at = now() where id = ? and tenant_id = ?',
        [conversationId, tenantId],
      );
      this.logger.log({ tenantId, conversationId, actor }, 'Automatic replies turned back on for a conversation');
    } else if (!current.automation_paused) {
      await this.handOff(tenantId, conversationId, current.session_id, 'agent', null);
    }
    return this.get(tenantId, conversationId);
  }

  /** Stops automatic replies in a conversation and publishes `conversation.handoff`; returns false when they were already stopped. */
  async handOff(tenantId: string, conversationId: string, sessionId: string, reason: string, messageId: string | null): Promise<boolean> {
    const updated = await this.em
      .fork()
      .getConnection()
      .execute<{ id: string }[]>(
        `update conversations set automation_paused = true, automation_paused_reason = ?, automation_paused_at = now(), updated_at = now()
         where id = ? and tenant_id = ? and not automation_paused returning id`,
        [reason, conversationId, tenantId],
      );
    if (updated.length === 0) return false;
    this.logger.log({ tenantId, conversationId, reason }, 'Conversation handed off to a human');
    this.realtime.publish(tenantId, 'conversation.handoff', { conversationId, sessionId, reason, messageId });
    return true;
  }

  private async find(tenantId: string, conversationId: string): Promise<PauseRow> {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(conversationId);
    const [row] = uuid
      ? await this.em
          .fork()
          .getConnection()
          .execute<PauseRow[]>('select id, session_id, automation_paused, automation_paused_reason, automation_paused_at from conversations where id = ? and tenant_id = ?', [
            conversationId,
            tenantId,
          ])
      : [];
    if (!row) throw AppError.notFound('CONVERSATION_NOT_FOUND', `Conversation ${conversationId.slice(0, 64)} was not found in your tenant.`);
    return row;
  }
}

function toView(row: PauseRow): ConversationAutomationView {
  return {
    conversationId: row.id,
    mode: row.automation_paused ? 'human' : 'bot',
    reason: row.automation_paused_reason,
    since: row.automation_paused_at ? new Date(row.automation_paused_at).toISOString() : null,
  };
}
