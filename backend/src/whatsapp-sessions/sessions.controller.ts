import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AuthUser, CurrentUser } from '../auth/auth-user';
import { Roles } from '../auth/roles';
import { ListQueryDto, parseListQuery, setContentRange } from '../common/list-query';
import { PairingCodeView } from './connection-manager.service';
import { CreateSessionDto, PairingCodeDto } from './dto/create-session.dto';
import { QrView, SessionsService, SessionView } from './sessions.service';

const SORTABLE = ['createdAt', 'name', 'status'] as const;

@ApiTags('sessions')
@ApiBearerAuth()
@Controller('sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Roles('admin')
  @Post()
  create(@CurrentUser() user: AuthUser, @Body() body: CreateSessionDto): Promise<SessionView> {
    return this.sessions.create(user.tenantId, body.name);
  }

  @Get()
  async list(@CurrentUser() user: AuthUser, @Query() query: ListQueryDto, @Res({ passthrough: true }) response: Response): Promise<SessionView[]> {
    const parsed = parseListQuery<{ status: string }>(query, { sortable: SORTABLE, defaultSort: ['createdAt', 'ASC'], filters: ['status'] });
    const all = await this.sessions.list(user.tenantId);
    const filtered = parsed.filter.status ? all.filter((session) => session.status === parsed.filter.status) : all;
    const sorted = sortBy(filtered, parsed.sortField as (typeof SORTABLE)[number], parsed.sortOrder);
    const page = sorted.slice(parsed.offset, parsed.offset + parsed.limit);
    setContentRange(response, 'sessions', parsed.offset, page.length, filtered.length);
    return page;
  }

  @Get(':id')
  get(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<SessionView> {
    return this.sessions.get(user.tenantId, id);
  }

  @Roles('admin')
  @Post(':id/connect')
  @HttpCode(202)
  connect(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<SessionView> {
    return this.sessions.connect(user, id);
  }

  @Roles('admin')
  @Get(':id/qr')
  async qr(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<QrView> {
    return this.sessions.qr(await this.sessions.findOwned(user.tenantId, id));
  }

  @Roles('admin')
  @Post(':id/pairing-code')
  @HttpCode(200)
  pairingCode(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() body: PairingCodeDto): Promise<PairingCodeView> {
    return this.sessions.requestPairingCode(user.tenantId, id, body.phoneNumber);
  }

  @Roles('admin')
  @Post(':id/disconnect')
  @HttpCode(200)
  disconnect(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<SessionView> {
    return this.sessions.disconnect(user, id);
  }

  @Roles('admin')
  @Delete(':id')
  @HttpCode(204)
  remove(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<void> {
    return this.sessions.remove(user, id);
  }
}

function sortBy(sessions: SessionView[], field: (typeof SORTABLE)[number], order: 'ASC' | 'DESC'): SessionView[] {
  const direction = order === 'ASC' ? 1 : -1;
  return [...sessions].sort((left, right) => String(left[field]).localeCompare(String(right[field])) * direction);
}
