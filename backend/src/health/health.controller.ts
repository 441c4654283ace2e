import { EntityManager } from '@mikro-orm/postgresql';
import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser, Public } from '../auth/auth-user';
import { SessionsService, SessionView } from '../whatsapp-sessions/sessions.service';

export interface HealthView {
  status: 'ok' | 'degraded';
  database: 'up' | 'down';
  sessions: Record<string, number>;
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly em: EntityManager,
    private readonly sessions: SessionsService,
  ) {}

  /** Public: overall status and counts only, nothing that names a tenant or a number. */
  @Public()
  @Get()
  async health(): Promise<HealthView> {
    try {
      const rows = await this.em
        .getConnection()
        .execute<{ status: string; count: string }[]>('select status, count(*) from whatsapp_sessions where deleted_at is null group by status');
      const sessions = Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
      return { status: 'ok', database: 'up', sessions };
    } catch {
      return { status: 'degraded', database: 'down', sessions: {} };
    }
  }

  @ApiBearerAuth()
  @Get('details')
  async details(@CurrentUser() user: AuthUser): Promise<HealthView & { tenantSessions: SessionView[] }> {
    return { ...(await this.health()), tenantSessions: await this.sessions.list(user.tenantId) };
  }
}
