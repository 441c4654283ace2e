import { Body, Controller, Delete, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AuthUser, CurrentUser } from '../auth/auth-user';
import { Roles } from '../auth/roles';
import { ListQueryDto, parseListQuery, setContentRange } from '../common/list-query';
import { ApiKeysService, ApiKeyView, CreatedApiKey } from './api-keys.service';
import { CreateApiKeyDto } from './dto/create-api-key.dto';

@ApiTags('api-keys')
@ApiBearerAuth()
@Roles('admin')
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  create(@CurrentUser() actor: AuthUser, @Body() body: CreateApiKeyDto): Promise<CreatedApiKey> {
    return this.apiKeys.create(actor, body);
  }

  @Get()
  async list(@CurrentUser() actor: AuthUser, @Query() query: ListQueryDto, @Res({ passthrough: true }) response: Response): Promise<ApiKeyView[]> {
    const parsed = parseListQuery<Record<string, never>>(query, { sortable: ['createdAt'], defaultSort: ['createdAt', 'DESC'], filters: [] });
    const all = await this.apiKeys.list(actor.tenantId);
    const sorted = parsed.sortOrder === 'ASC' ? [...all].reverse() : all;
    const page = sorted.slice(parsed.offset, parsed.offset + parsed.limit);
    setContentRange(response, 'api-keys', parsed.offset, page.length, all.length);
    return page;
  }

  @Get(':id')
  get(@CurrentUser() actor: AuthUser, @Param('id') id: string): Promise<ApiKeyView> {
    return this.apiKeys.get(actor.tenantId, id);
  }

  @Delete(':id')
  revoke(@CurrentUser() actor: AuthUser, @Param('id') id: string): Promise<ApiKeyView> {
    return this.apiKeys.revoke(actor, id);
  }
}
