import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Subscription } from 'rxjs';
import { AppError } from '../common/app-error';
import { OutboundUrlGuard } from '../common/outbound-url';
import { TenantSecrets } from '../common/tenant-secrets';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { RealtimeEnvelope, RealtimeEvents } from '../realtime/realtime-events';
import { signWebhook } from './webhook-signature';
import { WEBHOOK_EVENTS } from './webhook.dto';
import type { DeliveryRow } from './webhooks.service';
import { runInTenant, tenantParam } from '../common/tenant-context';
import { RoundRunner } from '../common/round-runner';

interface EndpointTarget {
  id: string;
  events: string[];
}

interface ClaimedDelivery extends DeliveryRow {
  tenant_id: string;
  url: string | null;
  active: boolean | null;
  secret_ciphertext: Buffer | null;
  secret_nonce: Buffer | null;
  secret_key_version: string | null;
}

/** How long endpoint lists stay cached per tenant; changes made in this process apply at once. */
const ENDPOINT_CACHE_MS = 5_000;
/** A claimed delivery that is still `sending` after this long (its process died) is claimed again. */
const CLAIM_LEASE_MS = 60_000;
const CLAIM_BATCH = 10;
const MAX_RESPONSE_BYTES = 64 * 1024;
const POLL_INTERVAL_MS = 1_000;

/**
 * Turns the realtime events of each tenant into signed HTTP deliveries to its webhook endpoints.
 * Each delivery is a row in `webhook_deliveries` before it is sent, so it survives a restart; any
 * app process may send it (`FOR UPDATE SKIP LOCKED`). A 2xx response delivers it. A 5xx, a timeout or
 * a network error is retried after WEBHOOK_RETRY_BASE_DELAY_MS, doubled per attempt, up to
 * WEBHOOK_MAX_ATTEMPTS. A 4xx, a redirect or a refused address fails it at once.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private readonly endpointCache = new Map<string, { at: number; endpoints: Promise<EndpointTarget[]> }>();
  private subscription?: Subscription;
  private timer?: NodeJS.Timeout;
  private readonly rounds = new RoundRunner('claim due webhook deliveries of every tenant', () => this.sendDue(), (error) => this.logger.error({ err: error }, 'Webhook delivery round failed'));

  constructor(
    private readonly em: EntityManager,
    private readonly realtime: RealtimeEvents,
    private readonly urls: OutboundUrlGuard,
    private readonly secrets: TenantSecrets,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = this.realtime.stream.subscribe((envelope) => {
      if (!(WEBHOOK_EVENTS as readonly string[]).includes(envelope.event)) return;
      this.record(envelope).catch((error: Error) => this.logger.error({ tenantId: envelope.tenantId, event: envelope.event, err: error }, 'Failed to queue webhook deliveries'));
    });
    this.timer = setInterval(() => this.kick(), POLL_INTERVAL_MS);
    this.timer.unref();
    this.kick();
  }

  async onModuleDestroy(): Promise<void> {
    this.subscription?.unsubscribe();
    if (this.timer) clearInterval(this.timer);
    await this.rounds.stop();
  }

  forgetEndpoints(tenantId: string): void {
    this.endpointCache.delete(tenantId);
  }

  /** Stores one delivery of an event to one endpoint and starts sending; returns the delivery id. */
  async queue(tenantId: string, endpointId: string, event: string, payload: unknown): Promise<string> {
    const id = randomUUID();
    await this.em.fork().getConnection().execute('insert into webhook_deliveries (id, tenant_id, endpoint_id, event, body) values (?, ?, ?, ?, ?)', [
      id,
      tenantParam(tenantId, 'Queuing a webhook delivery'),
      endpointId,
      event,
      bodyOf(id, tenantId, event, payload),
    ]);
    this.kick();
    return id;
  }

  private async record(envelope: RealtimeEnvelope): Promise<void> {
    const endpoints = (await this.endpointsOf(envelope.tenantId)).filter((endpoint) => endpoint.events.includes(envelope.event));
    for (const endpoint of endpoints) await this.queue(envelope.tenantId, endpoint.id, envelope.event, envelope.payload);
  }

  private endpointsOf(tenantId: string): Promise<EndpointTarget[]> {
    const cached = this.endpointCache.get(tenantId);
    if (cached && Date.now() - cached.at < ENDPOINT_CACHE_MS) return cached.endpoints;
    const endpoints = this.em
      .fork()
      .getConnection()
      .execute<EndpointTarget[]>('select id, events from webhook_endpoints where tenant_id = ? and active', [tenantId]);
    this.endpointCache.set(tenantId, { at: Date.now(), endpoints });
    endpoints.catch(() => this.endpointCache.delete(tenantId));
    return endpoints;
  }

  /** Sends what is due; a call while a round runs schedules one more round. */
  kick(): void {
    this.rounds.kick();
  }

  private async sendDue(): Promise<void> {
    for (;;) {
      const claimed = await this.claim();
      if (claimed.length === 0) return;
      await Promise.all(claimed.map((delivery) => runInTenant(delivery.tenant_id, () => this.send(delivery))));
      if (this.rounds.isStopped) return;
    }
  }

  private async claim(): Promise<ClaimedDelivery[]> {
    return this.em.fork().getConnection().execute<ClaimedDelivery[]>(
      `with due as (
         select id from webhook_deliveries
         where (status = 'pending' and next_attempt_at <= now()) or (status = 'sending' and locked_until < now())
         order by next_attempt_at limit ${CLAIM_BATCH} for update skip locked
       ), claimed as (
         update webhook_deliveries d set status = 'sending', attempts = d.attempts + 1, locked_until = now() + interval '${CLAIM_LEASE_MS} milliseconds'
         from due where d.id = due.id
         returning d.*
       )
       select c.*, e.url, e.active, e.secret_ciphertext, e.secret_nonce, e.secret_key_version
       from claimed c left join webhook_endpoints e on e.id = c.endpoint_id`,
    );
  }

  private async send(delivery: ClaimedDelivery): Promise<void> {
    if (!delivery.url || !delivery.active) {
      await this.finish(delivery, 'failed', null, 'The endpoint was disabled or deleted before this delivery was sent', 0);
      return;
    }

    const started = Date.now();
    const timestamp = String(Math.floor(started / 1000));
    let statusCode: number | null = null;
    let error: string | null = null;
    let retry = false;
    try {
      const secret = this.secrets.open(
        { ciphertext: delivery.secret_ciphertext!, nonce: delivery.secret_nonce!, keyVersion: delivery.secret_key_version! },
        { tenantId: delivery.tenant_id, column: 'webhook_endpoints.secret', rowId: delivery.endpoint_id },
      );
      const response = await this.urls.fetch(delivery.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Charla-Webhooks/1',
          'x-charla-event': delivery.event,
          'x-charla-delivery': delivery.id,
          'x-charla-timestamp': timestamp,
          'x-charla-signature': signWebhook(secret, timestamp, delivery.body),
        },
        body: delivery.body,
        timeoutMs: this.config.webhooks.timeoutMs,
        maxBytes: MAX_RESPONSE_BYTES,
        field: 'webhook url',
      });
      statusCode = response.status;
      if (statusCode >= 300) error = `The endpoint answered HTTP ${statusCode}`;
      retry = statusCode >= 500;
    } catch (caught) {
      const code = caught instanceof AppError ? caught.code : undefined;
      error = (caught as Error).message;
      // A refused address or a redirect will not change by retrying; timeouts and network errors may.
      retry = code === 'URL_TIMEOUT' || code === 'URL_FAILED' || code === 'URL_UNREACHABLE';
    }

    const durationMs = Date.now() - started;
    if (!error) return this.finish(delivery, 'delivered', statusCode, null, durationMs);
    if (retry && delivery.attempts < this.config.webhooks.maxAttempts) {
      const delayMs = this.config.webhooks.retryBaseDelayMs * 2 ** (delivery.attempts - 1);
      this.logger.warn({ tenantId: delivery.tenant_id, deliveryId: delivery.id, attempt: delivery.attempts, statusCode, reason: error, retryInMs: delayMs }, 'Webhook delivery failed; retrying');
      return this.finish(delivery, 'pending', statusCode, error, durationMs, delayMs);
    }
    this.logger.warn({ tenantId: delivery.tenant_id, deliveryId: delivery.id, attempts: delivery.attempts, statusCode, reason: error }, 'Webhook delivery failed; giving up');
    return this.finish(delivery, 'failed', statusCode, error, durationMs);
  }

  private async finish(delivery: ClaimedDelivery, status: 'delivered' | 'pending' | 'failed', statusCode: number | null, error: string | null, durationMs: number, retryInMs = 0): Promise<void> {
    const entry = { attempt: delivery.attempts, at: new Date().toISOString(), statusCode, error, durationMs };
    await this.em.fork().getConnection().execute(
      `update webhook_deliveries set status = ?, last_status_code = ?, last_error = ?, locked_until = null,
         next_attempt_at = now() + (? * interval '1 millisecond'),
         delivered_at = case when ? = 'delivered' then now() else delivered_at end,
         attempt_log = attempt_log || ?::jsonb
       where id = ? and tenant_id = ?`,
      [status, statusCode, error, retryInMs, status, JSON.stringify([entry]), delivery.id, tenantParam(delivery.tenant_id, 'Recording a webhook delivery attempt')],
    );
    if (status === 'pending') setTimeout(() => this.kick(), retryInMs + 10).unref();
  }
}

/** Builds the signed body: the event, its payload under `data`, and the delivery id that receivers can deduplicate on. */
function bodyOf(id: string, tenantId: string, event: string, payload: unknown): string {
  return JSON.stringify({ id, event, tenantId, createdAt: new Date().toISOString(), data: payload });
}
