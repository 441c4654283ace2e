import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AuthUser, CurrentUser } from '../auth/auth-user';
import { Roles } from '../auth/roles';
import { ListQueryDto, parseListQuery, setContentRange } from '../common/list-query';
import { AUDIT_SORT_FIELDS, AuditEventFilter, AuditEventView, AuditService } from './audit.service';

@ApiTags('audit')
@ApiBearerAuth()
@Roles('admin')
@Controller('audit-events')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  async list(@CurrentUser() actor: AuthUser, @Query() query: ListQueryDto, @Res({ passthrough: true }) response: Response): Promise<AuditEventView[]> {
    const parsed = parseListQuery<AuditEventFilter>(query, {
      sortable: AUDIT_SORT_FIELDS,
      defaultSort: ['createdAt', 'DESC'],
      filters: ['action', 'targetType', 'targetId', 'actorId'],
    });
    const { items, total } = await this.audit.list(actor.tenantId, parsed);
    setContentRange(response, 'audit-events', parsed.offset, items.length, total);
    return items;
  }
}
