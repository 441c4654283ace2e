import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppError, validationError } from '../common/app-error';
import { ParsedListQuery } from '../common/list-query';
import { tenantParam } from '../common/tenant-context';
import { loadTenantSettings } from '../settings/settings.service';
import { CreateProductDto, UpdateProductDto } from './product.dto';

export interface ProductView {
  id: string;
  name: string;
  description: string | null;
  price: number;
  currency: string;
  sku: string | null;
  stock: number | null;
  imageUrl: string | null;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface ProductFilter {
  q: string;
  active: boolean;
}

interface ProductRow {
  id: string;
  name: string;
  description: string | null;
  price: string;
  currency: string;
  sku: string | null;
  stock: number | null;
  image_url: string | null;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

const SORT: Record<string, string> = { name: 'name', price: 'price', stock: 'stock', createdAt: 'created_at', updatedAt: 'updated_at', id: 'id' };
export const PRODUCT_SORT_FIELDS = Object.keys(SORT);

const COLUMNS = 'id, name, description, price, currency, sku, stock, image_url, active, created_at, updated_at';

/** A tenant's catalog: what automatic replies may offer, at the prices stored here. */
@Injectable()
export class ProductsService {
  constructor(private readonly em: EntityManager) {}

  async list(tenantId: string, query: ParsedListQuery<Partial<ProductFilter>>): Promise<{ items: ProductView[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [tenantParam(tenantId, 'Listing products')];
    if (query.filter.q !== undefined && query.filter.q !== '') {
      const term = String(query.filter.q).replace(/[\\%_]/g, (character) => `\\${character}`);
      where.push('(name ilike ? or sku ilike ? or description ilike ?)');
      params.push(`%${term}%`, `%${term}%`, `%${term}%`);
    }
    if (query.filter.active !== undefined) {
      if (typeof query.filter.active !== 'boolean') throw validationError([{ field: 'filter.active', reason: 'must be true or false' }]);
      where.push('active = ?');
      params.push(query.filter.active);
    }

    const connection = this.em.getConnection();
    const rows = await connection.execute<ProductRow[]>(
      `select ${COLUMNS} from products where ${['tenant_id = ?', ...where].join(' and ')} order by ${SORT[query.sortField]} ${query.sortOrder} nulls last, id limit ? offset ?`,
      [...params, query.limit, query.offset],
    );
    const [{ count }] = await connection.execute<{ count: string }[]>(`select count(*) from products where ${['tenant_id = ?', ...where].join(' and ')}`, params);
    return { items: rows.map(toView), total: Number(count) };
  }

  /** The active products, cheapest first, for automatic replies. */
  async activeCatalog(tenantId: string, limit = 200): Promise<ProductView[]> {
    const rows = await this.em
      .fork()
      .getConnection()
      .execute<ProductRow[]>(`select ${COLUMNS} from products where tenant_id = ? and active order by price, name limit ?`, [tenantId, limit]);
    return rows.map(toView);
  }

  async get(tenantId: string, id: string): Promise<ProductView> {
    return toView(await this.find(tenantId, id));
  }

  async create(tenantId: string, body: CreateProductDto): Promise<ProductView> {
    const currency = body.currency ?? (await loadTenantSettings(this.em, tenantId)).currency;
    const [row] = await this.execute(
      `insert into products (id, tenant_id, name, description, price, currency, sku, stock, image_url, active)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning ${COLUMNS}`,
      [randomUUID(), tenantId, body.name, body.description ?? null, body.price, currency, body.sku ?? null, body.stock ?? null, body.imageUrl ?? null, body.active ?? true],
      body.sku,
    );
    return toView(row);
  }

  async update(tenantId: string, id: string, body: UpdateProductDto): Promise<ProductView> {
    await this.find(tenantId, id);
    const columns: Record<string, unknown> = {
      name: body.name,
      description: body.description,
      price: body.price,
      currency: body.currency,
      sku: body.sku,
      stock: body.stock,
      image_url: body.imageUrl,
      active: body.active,
    };
    const changed = Object.entries(columns).filter(([, value]) => value !== undefined);
    const assignments = [...changed.map(([column]) => `${column} = ?`), 'updated_at = now()'].join(', ');
    const [row] = await this.execute(
      `update products set ${assignments} where id = ? and tenant_id = ? returning ${COLUMNS}`,
      [...changed.map(([, value]) => value), id, tenantId],
      body.sku ?? undefined,
    );
    return toView(row);
  }

  async remove(tenantId: string, id: string): Promise<ProductView> {
    const product = await this.find(tenantId, id);
    await this.em.getConnection().execute('delete from products where id = ? and tenant_id = ?', [id, tenantId]);
    return toView(product);
  }

  private async find(tenantId: string, id: string): Promise<ProductRow> {
    const [row] = isUuid(id) ? await this.em.getConnection().execute<ProductRow[]>(`select ${COLUMNS} from products where id = ? and tenant_id = ?`, [id, tenantId]) : [];
    if (!row) throw AppError.notFound('PRODUCT_NOT_FOUND', `Product ${id.slice(0, 64)} was not found in your tenant's catalog.`);
    return row;
  }

  /** Runs a write and turns a duplicate SKU into 409 `PRODUCT_SKU_TAKEN`. */
  private async execute(sql: string, params: unknown[], sku: string | null | undefined): Promise<ProductRow[]> {
    try {
      return await this.em.getConnection().execute<ProductRow[]>(sql, params);
    } catch (error) {
      if ((error as { code?: string }).code === '23505' || /products_tenant_sku_key/.test(String((error as Error).message))) {
        throw AppError.conflict('PRODUCT_SKU_TAKEN', `Another product of your catalog already has SKU ${sku}. Use a different SKU or edit that product.`);
      }
      throw error;
    }
  }
}

function toView(row: ProductRow): ProductView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    price: Number(row.price),
    currency: row.currency,
    sku: row.sku,
    stock: row.stock,
    imageUrl: row.image_url,
    active: row.active,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
