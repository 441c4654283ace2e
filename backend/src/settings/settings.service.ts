import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { Tenant } from '../tenants/tenant.entity';
import type { OpeningHours } from './opening-hours';
import { UpdateSettingsDto } from './settings.dto';
import { tenantParam } from '../common/tenant-context';

/** Settings of one tenant. Later features add their fields here, under the tenant's `settings` column. */
export type ChatPolicy = 'store' | 'ignore';

export interface TenantSettings {
  timeZone: string;
  language: 'es' | 'en';
  currency: string;
  /** Policies for messages of groups, status broadcasts and channels. */
  groups: ChatPolicy;
  statuses: ChatPolicy;
  channels: ChatPolicy;
  /** Opening a conversation in the panel tells the customer their messages were read. */
  readReceipts: boolean;
  /** Asks the phone for its whole history at linking, not only recent chats. */
  fullHistorySync: boolean;
  /** Business profile that automatic replies use: what the business does and where it is. */
  businessDescription: string;
  businessAddress: string;
  /** Opening hours per weekday in `timeZone`, as `HH:MM` ranges; a day without ranges is closed, and no day at all means no hours are set. */
  openingHours: OpeningHours;
}

export interface SettingsView extends TenantSettings {
  id: string;
  name: string;
}

export const DEFAULT_SETTINGS: TenantSettings = {
  timeZone: 'America/Bogota',
  language: 'es',
  currency: 'COP',
  groups: 'store',
  statuses: 'ignore',
  channels: 'ignore',
  readReceipts: true,
  fullHistorySync: false,
  businessDescription: '',
  businessAddress: '',
  openingHours: {},
};

/** A tenant's settings with defaults filled in; a primary-key read, so a change applies at once. */
export async function loadTenantSettings(em: EntityManager, tenantId: string): Promise<TenantSettings> {
  const [row] = await em.getConnection().execute<{ settings: Partial<TenantSettings> | null }[]>('select settings from tenants where id = ?', [
    tenantParam(tenantId, 'Reading the tenant settings'),
  ]);
  return { ...DEFAULT_SETTINGS, ...(row?.settings ?? {}) };
}

@Injectable()
export class SettingsService {
  constructor(private readonly em: EntityManager) {}

  async get(tenantId: string): Promise<SettingsView> {
    return this.toView(await this.find(this.em.fork(), tenantId));
  }

  async update(tenantId: string, body: UpdateSettingsDto): Promise<SettingsView> {
    const em = this.em.fork();
    const tenant = await this.find(em, tenantId);
    const { name, timeZone, language, currency, groups, statuses, channels, readReceipts, fullHistorySync, businessDescription, businessAddress, openingHours } = body;
    if (name !== undefined) tenant.name = name;
    tenant.settings = {
      ...tenant.settings,
      ...definedOnly({ timeZone, language, currency, groups, statuses, channels, readReceipts, fullHistorySync, businessDescription, businessAddress, openingHours }),
    };
    await em.flush();
    return this.toView(tenant);
  }

  private async find(em: EntityManager, tenantId: string): Promise<Tenant> {
    const tenant = await em.findOne(Tenant, { id: tenantId });
    if (!tenant) throw AppError.notFound('TENANT_NOT_FOUND', 'Your tenant no longer exists. Log in again.');
    return tenant;
  }

  private toView(tenant: Tenant): SettingsView {
    return { id: tenant.id, name: tenant.name, ...DEFAULT_SETTINGS, ...(tenant.settings as Partial<TenantSettings>) };
  }
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}
