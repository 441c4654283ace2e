import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Subscription } from 'rxjs';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { MessagesService } from '../messages/messages.service';
import type { MessageView } from '../messages/message.views';
import { RealtimeEvents } from '../realtime/realtime-events';
import { ConnectionManager } from '../whatsapp-sessions/connection-manager.service';
import { ConversationAutomationService } from './conversation-automation.service';
import { HookChain, HookDecision } from './hook-chain';
import { HookSettings } from './hook-settings';
import { HookSettingsService } from './hook-settings.service';
import { runInTenant, scopeTenantId, tenantParam } from '../common/tenant-context';
import { RoundRunner } from '../common/round-runner';

interface JobRow {
  id: string;
  tenant_id: string;
  message_id: string;
  conversation_id: string;
  attempts: number;
}

interface JobContext {
  type: string;
  content: string | null;
  session_id: string;
  chat_jid: string;
  group_jid: string | null;
  automation_paused: boolean;
}

type Outcome = { status: 'done' | 'skipped'; detail: Record<string, unknown> };

/** A claimed job still `running` after this long (its process died) is claimed again. */
const CLAIM_LEASE_MS = 5 * 60_000;
const CLAIM_BATCH = 5;
/** The bot-loop guard looks at automatic replies within this window. */
const LOOP_WINDOW_MINUTES = 10;
/** The out-of-hours message is not repeated in a conversation within this many hours. */
const OUT_OF_HOURS_REPEAT_HOURS = 12;

/**
 * Runs the hook chain off the receive path. Each new inbound message of a tenant with automatic
 * replies on becomes a `hook_jobs` row after it is stored. Any app process claims due jobs with
 * `FOR UPDATE SKIP LOCKED`, one conversation at a time. So a slow or failing model never delays
 * storing messages, and a job outlives a restart. A failed job is retried after
 * HOOK_RETRY_BASE_DELAY_MS, doubled per attempt, and given up after HOOK_MAX_ATTEMPTS with an error log.
 */
@Injectable()
export class HookWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(HookWorker.name);
  private subscription?: Subscription;
  private timer?: NodeJS.Timeout;
  private readonly rounds = new RoundRunner('claim due automatic-reply jobs of every tenant', () => this.runDue(), (error) => this.logger.error({ err: error }, 'Hook job round failed'));

  constructor(
    private readonly em: EntityManager,
    private readonly realtime: RealtimeEvents,
    private readonly settings: HookSettingsService,
    private readonly chain: HookChain,
    private readonly messages: MessagesService,
    private readonly connections: ConnectionManager,
    private readonly automation: ConversationAutomationService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = this.realtime.stream.subscribe((envelope) => {
      if (envelope.event !== 'message.created') return;
      const { message, conversationId } = envelope.payload as { message: MessageView; conversationId: string };
      if (message.direction !== 'in') return;
      this.enqueue(envelope.tenantId, conversationId, message).catch((error: Error) =>
        this.logger.error({ tenantId: envelope.tenantId, messageId: message.id, err: error }, 'Failed to queue a message for automatic replies'),
      );
    });
    this.timer = setInterval(() => this.kick(), this.config.hooks.pollIntervalMs);
    this.timer.unref();
    this.kick();
  }

  async onModuleDestroy(): Promise<void> {
    this.subscription?.unsubscribe();
    if (this.timer) clearInterval(this.timer);
    await this.rounds.stop();
  }

  /**
   * Queues a newly stored customer message. Messages replayed after the phone was away are skipped
   * when older than `maxMessageAgeMinutes`; history syncs never publish `message.created`.
   * NOTE: the job is inserted after the message's transaction commits, so a crash between the two
   * loses the automatic reply (never the message).
   */
  private async enqueue(tenantId: string, conversationId: string, message: MessageView): Promise<void> {
    const settings = await this.settings.load(tenantId);
    if (!settings.enabled) return;
    const ageMs = Date.now() - new Date(message.timestamp).getTime();
    if (ageMs > settings.maxMessageAgeMinutes * 60_000) {
      this.logger.debug({ tenantId, messageId: message.id, ageMs }, 'Message too old for an automatic reply');
      return;
    }
    await this.em.fork().getConnection().execute(
      'insert into hook_jobs (id, tenant_id, message_id, conversation_id) values (?, ?, ?, ?) on conflict (message_id) do nothing',
      [randomUUID(), tenantParam(tenantId, 'Queuing a hook job'), message.id, conversationId],
    );
    this.kick();
  }

  /** Runs due jobs; a call while a round runs schedules one more round. */
  kick(): void {
    this.rounds.kick();
  }

  private async runDue(): Promise<void> {
    for (;;) {
      const jobs = await this.claim();
      if (jobs.length === 0) return;
      const byConversation = new Map<string, JobRow[]>();
      for (const job of jobs) byConversation.set(job.conversation_id, [...(byConversation.get(job.conversation_id) ?? []), job]);
      await Promise.all(
        [...byConversation.values()].map(async (conversationJobs) => {
          for (const job of conversationJobs) await runInTenant(job.tenant_id, () => this.run(job));
        }),
      );
      if (this.rounds.isStopped) return;
    }
  }

  /** Claims due jobs of conversations that have no job running elsewhere, oldest first. */
  private claim(): Promise<JobRow[]> {
    return this.em.fork().getConnection().execute<JobRow[]>(
      `with due as (
         select j.id from hook_jobs j
         where ((j.status = 'pending' and j.run_after <= now()) or (j.status = 'running' and j.locked_until < now()))
           and not exists (select 1 from hook_jobs r where r.conversation_id = j.conversation_id and r.id <> j.id and r.status = 'running' and r.locked_until >= now())
         order by j.created_at limit ${CLAIM_BATCH} for update skip locked
       )
       update hook_jobs j set status = 'running', attempts = j.attempts + 1, locked_until = now() + interval '${CLAIM_LEASE_MS} milliseconds', updated_at = now()
       from due where j.id = due.id
       returning j.id, j.tenant_id, j.message_id, j.conversation_id, j.attempts`,
    );
  }

  private async run(job: JobRow): Promise<void> {
    try {
      const outcome = await this.process(job);
      await this.finish(job, outcome.status, outcome.detail, null);
    } catch (error) {
      const reason = (error as Error).message;
      if (job.attempts < this.config.hooks.maxAttempts) {
        const delayMs = this.config.hooks.retryBaseDelayMs * 2 ** (job.attempts - 1);
        this.logger.warn({ tenantId: job.tenant_id, jobId: job.id, messageId: job.message_id, attempt: job.attempts, reason, retryInMs: delayMs }, 'Automatic reply failed; retrying');
        await this.finish(job, 'pending', null, reason, delayMs);
        setTimeout(() => this.kick(), delayMs + 10).unref();
        return;
      }
      this.logger.error(
        { tenantId: job.tenant_id, jobId: job.id, messageId: job.message_id, conversationId: job.conversation_id, attempts: job.attempts, reason },
        `Gave up on the automatic reply after ${job.attempts} attempts`,
      );
      await this.finish(job, 'failed', null, reason);
    }
  }

  private async process(job: JobRow): Promise<Outcome> {
    const [context] = await this.em.fork().getConnection().execute<JobContext[]>(
      `select m.type, m.content, c.session_id, c.chat_jid, c.group_jid, c.automation_paused
       from messages m join conversations c on c.id = m.conversation_id where m.id = ? and m.tenant_id = ?`,
      [job.message_id, tenantParam(job.tenant_id, 'Reading the message of a hook job')],
    );
    if (!context) return skipped('message_deleted');
    const settings = await this.settings.load(job.tenant_id);
    if (!settings.enabled) return skipped('disabled');
    if (context.automation_paused) return skipped('human_mode');
    if (context.group_jid && !settings.replyInGroups) return skipped('group');

    const sent = await this.recentAutomaticReplies(job.conversation_id, settings.botLoopReplies);
    if (sent.lastHour >= settings.maxRepliesPerHour) {
      this.logger.warn({ tenantId: job.tenant_id, conversationId: job.conversation_id, limit: settings.maxRepliesPerHour }, 'Automatic reply skipped: the hourly limit of this conversation is reached');
      return skipped('rate_limited');
    }
    if (sent.loop) {
      await this.automation.handOff(job.tenant_id, job.conversation_id, context.session_id, 'bot_loop', job.message_id);
      return { status: 'done', detail: { action: 'handoff', reason: 'bot_loop' } };
    }

    const decision = await this.chain.decide(job.tenant_id, job.conversation_id, { type: context.type, content: context.content }, settings);
    if (decision.action === 'none') return skipped(decision.reason);
    if (decision.hook === 'business_hours' && (await this.sentRecently(job.conversation_id, 'business_hours', OUT_OF_HOURS_REPEAT_HOURS))) return skipped('out_of_hours_already_told');

    if (decision.action === 'handoff') {
      await this.automation.handOff(job.tenant_id, job.conversation_id, context.session_id, decision.reason, job.message_id);
      if (decision.text) await this.send(job, context, settings, decision.hook, decision.text, { reason: decision.reason });
      return { status: 'done', detail: { action: 'handoff', hook: decision.hook, reason: decision.reason } };
    }
    const messageId = await this.send(job, context, settings, decision.hook, decision.text, decision.detail ?? {});
    return { status: 'done', detail: { action: 'reply', hook: decision.hook, replyMessageId: messageId } };
  }

  /** Shows the typing indicator for a time proportional to the reply, then queues it in the outbox, marked as automatic. */
  private async send(job: JobRow, context: JobContext, settings: HookSettings, hook: string, text: string, detail: Record<string, unknown>): Promise<string> {
    const delayMs = Math.min(settings.typing.maxDelayMs, text.length * settings.typing.msPerCharacter);
    if (delayMs > 0) {
      await this.presence(job, context, 'composing');
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      await this.presence(job, context, 'paused');
    }
    // The job id as idempotency key: a retried job never sends the same reply twice.
    const result = await this.messages.reply(job.tenant_id, job.conversation_id, { type: 'text', content: text }, `hook:${job.id}:${hook}`, {
      hook,
      jobId: job.id,
      inReplyTo: job.message_id,
      ...detail,
    });
    return result.id;
  }

  private async presence(job: JobRow, context: JobContext, presence: 'composing' | 'paused'): Promise<void> {
    await this.connections.sendPresence(context.session_id, job.tenant_id, context.chat_jid, presence).catch((error: Error) =>
      this.logger.debug({ conversationId: job.conversation_id, reason: error.message }, 'Could not send the typing indicator'),
    );
  }

  /** Counts automatic replies of the last hour, and whether the last `loopSize` replies were all automatic within the loop window. */
  private async recentAutomaticReplies(conversationId: string, loopSize: number): Promise<{ lastHour: number; loop: boolean }> {
    const connection = this.em.fork().getConnection();
    const tenantId = scopeTenantId('Counting automatic replies');
    const [{ count }] = await connection.execute<{ count: string }[]>(
      `select count(*) from messages
       where conversation_id = ? and tenant_id = ? and direction = 'out' and data -> 'automation' is not null and created_at > now() - interval '1 hour'`,
      [conversationId, tenantId],
    );
    const last = await connection.execute<{ automatic: boolean; recent: boolean }[]>(
      `select data -> 'automation' is not null as automatic, created_at > now() - interval '${LOOP_WINDOW_MINUTES} minutes' as recent
       from messages where conversation_id = ? and tenant_id = ? and direction = 'out' order by created_at desc limit ?`,
      [conversationId, tenantId, loopSize],
    );
    const loop = last.length === loopSize && last.every((row) => row.automatic && row.recent);
    return { lastHour: Number(count), loop };
  }

  private async sentRecently(conversationId: string, hook: string, hours: number): Promise<boolean> {
    const [row] = await this.em.fork().getConnection().execute<{ found: boolean }[]>(
      `select exists (
         select 1 from messages
         where conversation_id = ? and tenant_id = ? and direction = 'out' and data -> 'automation' ->> 'hook' = ? and created_at > now() - (? * interval '1 hour')
       ) as found`,
      [conversationId, scopeTenantId('Looking for a recent automatic reply'), hook, hours],
    );
    return row.found;
  }

  private async finish(job: JobRow, status: 'done' | 'skipped' | 'pending' | 'failed', outcome: Record<string, unknown> | null, error: string | null, retryInMs = 0): Promise<void> {
    await this.em.fork().getConnection().execute(
      `update hook_jobs set status = ?, outcome = ?::jsonb, last_error = ?, locked_until = null, run_after = now() + (? * interval '1 millisecond'), updated_at = now()
       where id = ? and tenant_id = ?`,
      [status, outcome ? JSON.stringify(outcome) : null, error, retryInMs, job.id, tenantParam(job.tenant_id, 'Finishing a hook job')],
    );
  }
}

function skipped(reason: string): Outcome {
  return { status: 'skipped', detail: { reason } };
}

export type { HookDecision };
