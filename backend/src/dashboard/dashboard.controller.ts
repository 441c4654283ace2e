import { EntityManager } from '@mikro-orm/postgresql';
import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '../auth/auth-user';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { tenantParam } from '../common/tenant-context';

export interface DashboardView {
  sessionsByStatus: Record<string, number>;
  /** Conversations whose last message came from the customer. */
  waitingConversations: number;
  messagesToday: { in: number; out: number };
}

@ApiTags('dashboard')
@ApiBearerAuth()
@Controller()
export class DashboardController {
  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('dashboard')
  async dashboard(@CurrentUser() user: AuthUser): Promise<DashboardView> {
    const connection = this.em.getConnection();
    const sessions = await connection.execute<{ status: string; count: string }[]>(
      'select status, count(*) from whatsapp_sessions where tenant_id = ? and deleted_at is null group by status',
      [user.tenantId],
    );
    const [waiting] = await connection.execute<{ count: string }[]>(
      `select count(*) from conversations c
       where c.tenant_id = ? and (select m.direction from messages m where m.conversation_id = c.id order by m.timestamp desc limit 1) = 'in'`,
      [user.tenantId],
    );
    const today = await connection.execute<{ direction: string; count: string }[]>(
      `select direction, count(*) from messages
       where tenant_id = ? and timestamp >= (date_trunc('day', now() at time zone ?) at time zone ?)
       group by direction`,
      [user.tenantId, await this.timeZone(user.tenantId), await this.timeZone(user.tenantId)],
    );

    const counts = Object.fromEntries(today.map((row) => [row.direction, Number(row.count)]));
    return {
      sessionsByStatus: Object.fromEntries(sessions.map((row) => [row.status, Number(row.count)])),
      waitingConversations: Number(waiting.count),
      messagesToday: { in: counts.in ?? 0, out: counts.out ?? 0 },
    };
  }

  /** What the panel needs to know about this server. */
  @Get('config')
  appConfig(): { whatsappMode: string } {
    return { whatsappMode: this.config.whatsapp.mode };
  }

  private async timeZone(tenantId: string): Promise<string> {
    const [row] = await this.em.getConnection().execute<{ tz: string | null }[]>("select settings->>'timeZone' as tz from tenants where id = ?", [
      tenantParam(tenantId, 'Reading the time zone'),
    ]);
    return row?.tz ?? 'America/Bogota';
  }
}
