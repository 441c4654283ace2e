import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import type { Response } from 'express';
import { validationError } from './app-error';

/**
 * Query parameters of every list route, in the `ra-data-simple-rest` convention:
 * `sort=["field","ASC"]`, `range=[0,24]` and `filter={"field":value}`, each JSON-encoded.
 */
export class ListQueryDto {
  @ApiPropertyOptional({ example: '["lastMessageAt","DESC"]' })
  @IsOptional()
  @IsString()
  sort?: string;

  @ApiPropertyOptional({ example: '[0,24]' })
  @IsOptional()
  @IsString()
  range?: string;

  @ApiPropertyOptional({ example: '{"sessionId":"…"}' })
  @IsOptional()
  @IsString()
  filter?: string;
}

export interface ParsedListQuery<F> {
  sortField: string;
  sortOrder: 'ASC' | 'DESC';
  offset: number;
  limit: number;
  filter: F;
}

const MAX_PAGE_SIZE = 500;

export function parseListQuery<F extends object>(
  query: ListQueryDto,
  options: { sortable: readonly string[]; defaultSort: [string, 'ASC' | 'DESC']; filters: readonly (keyof F & string)[] },
): ParsedListQuery<Partial<F>> {
  const [sortField, sortOrder] = parseJson<[string, string]>('sort', query.sort) ?? options.defaultSort;
  if (!options.sortable.includes(sortField)) {
    throw validationError([{ field: 'sort', reason: `cannot sort by "${sortField}"; use one of ${options.sortable.join(', ')}` }]);
  }
  if (!['ASC', 'DESC'].includes(String(sortOrder).toUpperCase())) {
    throw validationError([{ field: 'sort', reason: `order must be ASC or DESC, got "${sortOrder}"` }]);
  }

  const range = parseJson<[number, number]>('range', query.range) ?? [0, 24];
  const [start, end] = range;
  if (!Array.isArray(range) || !Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start) {
    throw validationError([{ field: 'range', reason: 'must be [start, end] with whole numbers and start <= end, such as [0,24]' }]);
  }

  const filter = parseJson<Record<string, unknown>>('filter', query.filter) ?? {};
  if (typeof filter !== 'object' || Array.isArray(filter)) {
    throw validationError([{ field: 'filter', reason: 'must be a JSON object such as {"sessionId":"…"}' }]);
  }
  const unknown = Object.keys(filter).filter((key) => !options.filters.includes(key as keyof F & string));
  if (unknown.length > 0) {
    throw validationError([{ field: 'filter', reason: `unknown filter ${unknown.join(', ')}; allowed: ${options.filters.join(', ') || 'none'}` }]);
  }

  return {
    sortField,
    sortOrder: String(sortOrder).toUpperCase() as 'ASC' | 'DESC',
    offset: start,
    limit: Math.min(end - start + 1, MAX_PAGE_SIZE),
    filter: filter as Partial<F>,
  };
}

/** Sets the `Content-Range` header that `ra-data-simple-rest` reads for the total count. */
export function setContentRange(response: Response, resource: string, offset: number, count: number, total: number): void {
  const end = count === 0 ? offset : offset + count - 1;
  response.setHeader('Content-Range', `${resource} ${offset}-${end}/${total}`);
  response.setHeader('Access-Control-Expose-Headers', 'Content-Range');
}

function parseJson<T>(field: string, value: string | undefined): T | undefined {
  if (value === undefined || value === '') return undefined;
  try {
    return JSON.parse(value) as T;
  } catch {
    throw validationError([{ field, reason: `is not valid JSON: ${value.slice(0, 100)}` }]);
  }
}
