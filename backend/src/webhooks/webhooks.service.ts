import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { AppError, validationError } from '../common/app-error';
import { ParsedListQuery } from '../common/list-query';
import { OutboundUrlGuard } from '../common/outbound-url';
import { TenantSecrets } from '../common/tenant-secrets';
import { CreateWebhookDto, UpdateWebhookDto, WebhookEvent } from './webhook.dto';
import { WebhookDispatcher } from './webhook-dispatcher';
import { tenantParam } from '../common/tenant-context';

export interface WebhookView {
  id: string;
  url: string;
  description: string | null;
  events: WebhookEvent[];
  active: boolean;
  /** The signing secret is only returned once, by the create route. */
  hasSecret: true;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookDeliveryView {
  id: string;
  endpointId: string;
  event: string;
  status: 'pending' | 'sending' | 'delivered' | 'failed';
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  attemptLog: { attempt: number; at: string; statusCode: number | null; error: string | null; durationMs: number }[];
  body: string;
  createdAt: string;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
}

export interface DeliveryFilter {
  endpointId: string;
  status: string;
  event: string;
}

interface EndpointRow {
  id: string;
  url: string;
  description: string | null;
  events: WebhookEvent[];
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

const ENDPOINT_COLUMNS = 'id, url, description, events, active, created_at, updated_at';
const DELIVERY_SORT: Record<string, string> = { createdAt: 'created_at', attempts: 'attempts', status: 'status', id: 'id' };
export const DELIVERY_SORT_FIELDS = Object.keys(DELIVERY_SORT);

/** Webhook endpoints of a tenant and the log of their deliveries. */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly em: EntityManager,
    private readonly urls: OutboundUrlGuard,
    private readonly secrets: TenantSecrets,
    private readonly dispatcher: WebhookDispatcher,
  ) {}

  async list(tenantId: string): Promise<WebhookView[]> {
    const rows = await this.em.getConnection().execute<EndpointRow[]>(`select ${ENDPOINT_COLUMNS} from webhook_endpoints where tenant_id = ? order by created_at`, [tenantId]);
    return rows.map(toView);
  }

  async get(tenantId: string, id: string): Promise<WebhookView> {
    return toView(await this.find(tenantId, id));
  }

  /** Creates an endpoint with a new signing secret, which this response shows once. */
  async create(tenantId: string, body: CreateWebhookDto): Promise<WebhookView & { secret: string }> {
    await this.urls.check(body.url, 'url');
    const id = randomUUID();
    const secret = `whsec_${randomBytes(24).toString('base64url')}`;
    const sealed = this.secrets.seal(secret, { tenantId, column: 'webhook_endpoints.secret', rowId: id });
    const [row] = await this.em.getConnection().execute<EndpointRow[]>(
      `insert into webhook_endpoints (id, tenant_id, url, description, events, active, secret_ciphertext, secret_nonce, secret_key_version)
       values (?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?) returning ${ENDPOINT_COLUMNS}`,
      [id, tenantId, body.url, body.description ?? null, JSON.stringify(uniqueEvents(body.events)), body.active ?? true, sealed.ciphertext, sealed.nonce, sealed.keyVersion],
    );
    this.dispatcher.forgetEndpoints(tenantId);
    return { ...toView(row), secret };
  }

  async update(tenantId: string, id: string, body: UpdateWebhookDto): Promise<WebhookView> {
    await this.find(tenantId, id);
    if (body.url !== undefined) await this.urls.check(body.url, 'url');
    const columns: Record<string, unknown> = { url: body.url, description: body.description, events: body.events ? JSON.stringify(uniqueEvents(body.events)) : undefined, active: body.active };
    const changed = Object.entries(columns).filter(([, value]) => value !== undefined);
    const assignments = [...changed.map(([column]) => (column === 'events' ? 'events = ?::jsonb' : `${column} = ?`)), 'updated_at = now()'].join(', ');
    const [row] = await this.em
      .getConnection()
      .execute<EndpointRow[]>(`update webhook_endpoints set ${assignments} where id = ? and tenant_id = ? returning ${ENDPOINT_COLUMNS}`, [...changed.map(([, value]) => value), id, tenantId]);
    this.dispatcher.forgetEndpoints(tenantId);
    return toView(row);
  }

  async remove(tenantId: string, id: string): Promise<WebhookView> {
    const row = await this.find(tenantId, id);
    await this.em.getConnection().execute('delete from webhook_endpoints where id = ? and tenant_id = ?', [id, tenantId]);
    this.dispatcher.forgetEndpoints(tenantId);
    return toView(row);
  }

  /** Queues a `webhook.test` delivery to one endpoint, so its owner can check the receiver and the signature. */
  async sendTest(tenantId: string, id: string): Promise<WebhookDeliveryView> {
    await this.find(tenantId, id);
    const deliveryId = await this.dispatcher.queue(tenantId, id, 'webhook.test', { message: 'A test delivery from Charla.' });
    return this.getDelivery(tenantId, deliveryId);
  }

  async listDeliveries(tenantId: string, query: ParsedListQuery<Partial<DeliveryFilter>>): Promise<{ items: WebhookDeliveryView[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [tenantParam(tenantId, 'Listing webhook deliveries')];
    for (const [field, column] of [['endpointId', 'endpoint_id'], ['status', 'status'], ['event', 'event']] as const) {
      const value = query.filter[field];
      if (value === undefined) continue;
      if (field === 'endpointId' && !isUuid(String(value))) throw validationError([{ field: 'filter.endpointId', reason: 'must be a webhook id' }]);
      where.push(`${column} = ?`);
      params.push(String(value));
    }
    const connection = this.em.getConnection();
    const rows = await connection.execute<DeliveryRow[]>(
      `select * from webhook_deliveries where ${['tenant_id = ?', ...where].join(' and ')} order by ${DELIVERY_SORT[query.sortField]} ${query.sortOrder}, id limit ? offset ?`,
      [...params, query.limit, query.offset],
    );
    const [{ count }] = await connection.execute<{ count: string }[]>(`select count(*) from webhook_deliveries where ${['tenant_id = ?', ...where].join(' and ')}`, params);
    return { items: rows.map(toDeliveryView), total: Number(count) };
  }

  async getDelivery(tenantId: string, id: string): Promise<WebhookDeliveryView> {
    const [row] = isUuid(id) ? await this.em.getConnection().execute<DeliveryRow[]>('select * from webhook_deliveries where id = ? and tenant_id = ?', [id, tenantId]) : [];
    if (!row) throw AppError.notFound('WEBHOOK_DELIVERY_NOT_FOUND', `Webhook delivery ${id.slice(0, 64)} was not found in your tenant.`);
    return toDeliveryView(row);
  }

  private async find(tenantId: string, id: string): Promise<EndpointRow> {
    const [row] = isUuid(id)
      ? await this.em.getConnection().execute<EndpointRow[]>(`select ${ENDPOINT_COLUMNS} from webhook_endpoints where id = ? and tenant_id = ?`, [id, tenantId])
      : [];
    if (!row) throw AppError.notFound('WEBHOOK_NOT_FOUND', `Webhook ${id.slice(0, 64)} was not found in your tenant.`);
    return row;
  }
}

export interface DeliveryRow {
  id: string;
  endpoint_id: string;
  event: string;
  body: string;
  status: WebhookDeliveryView['status'];
  attempts: number;
  next_attempt_at: Date;
  last_status_code: number | null;
  last_error: string | null;
  attempt_log: WebhookDeliveryView['attemptLog'];
  created_at: Date;
  delivered_at: Date | null;
}

function toView(row: EndpointRow): WebhookView {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: row.events,
    active: row.active,
    hasSecret: true,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

function toDeliveryView(row: DeliveryRow): WebhookDeliveryView {
  const waiting = row.status === 'pending' || row.status === 'sending';
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    event: row.event,
    status: row.status,
    attempts: row.attempts,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    attemptLog: row.attempt_log ?? [],
    body: row.body,
    createdAt: new Date(row.created_at).toISOString(),
    nextAttemptAt: waiting ? new Date(row.next_attempt_at).toISOString() : null,
    deliveredAt: row.delivered_at ? new Date(row.delivered_at).toISOString() : null,
  };
}

function uniqueEvents(events: WebhookEvent[]): WebhookEvent[] {
  return [...new Set(events)];
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
