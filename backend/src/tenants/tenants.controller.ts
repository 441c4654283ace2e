import { Body, Controller, Delete, Get, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AuthUser, CurrentUser } from '../auth/auth-user';
import { Roles } from '../auth/roles';
import { ListQueryDto, parseListQuery, setContentRange } from '../common/list-query';
import { CreateTenantDto, UpdateTenantDto } from './dto/tenant.dto';
import { TenantsService, TenantView } from './tenants.service';

@ApiTags('tenants')
@ApiBearerAuth()
@Roles('superadmin')
@Controller('tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Get()
  async list(@Query() query: ListQueryDto, @Res({ passthrough: true }) response: Response): Promise<TenantView[]> {
    const parsed = parseListQuery<{ q: string; status: string }>(query, { sortable: ['createdAt', 'name', 'status'], defaultSort: ['createdAt', 'ASC'], filters: ['q', 'status'] });
    const { items, total } = await this.tenants.list(parsed);
    setContentRange(response, 'tenants', parsed.offset, items.length, total);
    return items;
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<TenantView> {
    return this.tenants.get(id);
  }

  @Post()
  create(@Body() body: CreateTenantDto): Promise<TenantView> {
    return this.tenants.create(body);
  }

  @Put(':id')
  replace(@CurrentUser() actor: AuthUser, @Param('id') id: string, @Body() body: UpdateTenantDto): Promise<TenantView> {
    return this.tenants.update(actor, id, body);
  }

  @Patch(':id')
  update(@CurrentUser() actor: AuthUser, @Param('id') id: string, @Body() body: UpdateTenantDto): Promise<TenantView> {
    return this.tenants.update(actor, id, body);
  }

  @Delete(':id')
  remove(@CurrentUser() actor: AuthUser, @Param('id') id: string): Promise<TenantView> {
    return this.tenants.remove(actor, id);
  }
}
