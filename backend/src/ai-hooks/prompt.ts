import { localTime, WEEKDAYS } from '../settings/opening-hours';
import type { TenantSettings } from '../settings/settings.service';
import type { ProductView } from '../products/products.service';

export interface BusinessContext {
  name: string;
  settings: TenantSettings;
}

/** Lower case without accents, so "CATÁLOGO" matches the keyword "catalogo". */
export function normalizeText(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** Returns whether `phrase` occurs in `text` as whole words, ignoring case and accents. */
export function containsPhrase(text: string, phrase: string): boolean {
  const needle = normalizeText(phrase).trim();
  if (!needle) return false;
  const escaped = needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');
  return new RegExp(`(^|[^\\p{L}\\p{N}])${escaped}($|[^\\p{L}\\p{N}])`, 'u').test(normalizeText(text));
}

export function formatPrice(price: number, currency: string, language: string): string {
  try {
    return new Intl.NumberFormat(language === 'en' ? 'en-US' : 'es-CO', { style: 'currency', currency, maximumFractionDigits: Number.isInteger(price) ? 0 : 2 }).format(price);
  } catch {
    return `${price} ${currency}`;
  }
}

/** The catalog as a WhatsApp message: one product a line, bold names, prices in the tenant's format. */
export function formatCatalog(products: ProductView[], business: BusinessContext): string {
  const language = business.settings.language;
  if (products.length === 0) return language === 'en' ? 'Our catalog is empty right now.' : 'Por ahora nuestro catálogo está vacío.';
  const heading = language === 'en' ? `*${business.name}: catalog*` : `*${business.name}: catálogo*`;
  const lines = products.map((product) => {
    const price = formatPrice(product.price, product.currency, language);
    const soldOut = product.stock === 0 ? (language === 'en' ? ' (sold out)' : ' (agotado)') : '';
    return `• *${product.name}*: ${price}${soldOut}${product.description ? `\n  ${product.description}` : ''}`;
  });
  return [heading, ...lines].join('\n');
}

function describeHours(settings: TenantSettings): string {
  if (Object.keys(settings.openingHours).length === 0) return 'not set';
  return WEEKDAYS.map((day) => {
    const ranges = settings.openingHours[day] ?? [];
    return `${day}: ${ranges.length ? ranges.map((range) => `${range.open}-${range.close}`).join(', ') : 'closed'}`;
  }).join('; ');
}

/**
 * The system prompt of the LLM hook: the tenant's own instructions, then the business profile, the
 * active catalog, and the rule to mention only products and prices from that catalog.
 */
export function buildSystemPrompt(tenantPrompt: string, business: BusinessContext, catalog: ProductView[], now: Date): string {
  const { settings } = business;
  const local = localTime(now, settings.timeZone);
  const catalogLines = catalog.length
    ? catalog.map((product) =>
        [
          `- ${product.name}`,
          product.sku ? `SKU ${product.sku}` : null,
          `price ${product.price} ${product.currency}`,
          product.stock === null ? null : `stock ${product.stock}`,
          product.description ? product.description.replace(/\s+/g, ' ') : null,
        ]
          .filter(Boolean)
          .join(' | '),
      )
    : ['(the catalog is empty)'];

  return [
    tenantPrompt.trim(),
    '',
    `You answer WhatsApp messages for the business "${business.name}". Reply in the language the customer writes in, briefly, as plain text for WhatsApp.`,
    `Business description: ${settings.businessDescription || 'not set'}`,
    `Address: ${settings.businessAddress || 'not set'}`,
    `Opening hours (${settings.timeZone}): ${describeHours(settings)}`,
    `Local time now: ${local.weekday} ${local.time}`,
    '',
    'Catalog: these are the only products the business sells, with their prices. Mention only these products and exactly these prices.',
    'If the customer asks for something that is not in the catalog, say that the business does not have it. Never invent products, prices, stock or discounts.',
    ...catalogLines,
  ]
    .filter((line, index) => index > 0 || line !== '')
    .join('\n');
}

/** Money amounts written with a currency sign or code, such as "$85.000", "85.000 COP" or "USD 12.50". */
const MONEY = /(?:\$|US\$|€|\b(?:COP|USD|EUR|MXN|PEN|CLP|ARS)\b)\s?(\d[\d.,]*)|(\d[\d.,]*)\s?(?:\b(?:COP|USD|EUR|MXN|PEN|CLP|ARS|pesos|d[oó]lares|euros)\b|€)/giu;

/** Order totals up to this many units of one product count as catalog prices. */
const MAX_ORDER_UNITS = 10;

/** Reads "85.000", "85,000", "12.50" or "1.234,56" as a number. */
export function parseAmount(text: string): number | undefined {
  const cleaned = text.replace(/[.,]$/, '');
  const lastDot = cleaned.lastIndexOf('.');
  const lastComma = cleaned.lastIndexOf(',');
  let normalized: string;
  if (lastDot >= 0 && lastComma >= 0) {
    const decimal = lastDot > lastComma ? '.' : ',';
    normalized = cleaned.split(decimal === '.' ? ',' : '.').join('').replace(decimal, '.');
  } else {
    const separator = lastDot >= 0 ? '.' : lastComma >= 0 ? ',' : '';
    const groups = separator ? cleaned.split(separator) : [cleaned];
    // A separator followed by exactly three digits, every time, groups thousands; otherwise it is a decimal point.
    const thousands = groups.length > 1 && groups.slice(1).every((group) => group.length === 3);
    normalized = thousands ? groups.join('') : cleaned.replace(',', '.');
  }
  const value = Number(normalized);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * Returns the money amounts of a reply that match no catalog price, nor a multiple of one up to 10
 * units (an order total). An LLM reply with such an amount is not sent.
 */
export function unknownAmounts(reply: string, catalog: ProductView[]): string[] {
  const unknown: string[] = [];
  for (const match of reply.matchAll(MONEY)) {
    const amount = parseAmount(match[1] ?? match[2] ?? '');
    if (amount === undefined || amount === 0) continue;
    const known = catalog.some((product) => {
      for (let units = 1; units <= MAX_ORDER_UNITS; units += 1) if (Math.abs(product.price * units - amount) < 0.005) return true;
      return false;
    });
    if (!known) unknown.push(match[0].trim());
  }
  return unknown;
}
