import { DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { ClusterModule } from './cluster/cluster.module';
import { LoggerModule } from './common/logger.module';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { HealthModule } from './health/health.module';
import { MediaModule } from './media/media.module';
import { MessagesModule } from './messages/messages.module';
import { PanelModule } from './panel/panel.module';
import { RealtimeModule } from './realtime/realtime.module';
import { SandboxModule } from './sandbox/sandbox.module';
import { SettingsModule } from './settings/settings.module';
import { TenantsModule } from './tenants/tenants.module';
import { UsersModule } from './users/users.module';
import { WhatsAppCompatModule } from './whatsapp-compat/whatsapp-compat.module';
import { WhatsAppSessionsModule } from './whatsapp-sessions/whatsapp-sessions.module';
import { OutboundUrlModule } from './common/outbound-url.module';
import { AiHooksModule } from './ai-hooks/ai-hooks.module';
import { ProductsModule } from './products/products.module';
import { WebhooksModule } from './webhooks/webhooks.module';

export interface AppModuleOptions {
  config: AppConfig;
  logger: Logger;
  databaseUrl: string;
}

@Module({})
export class AppModule {
  static forRoot({ config, logger, databaseUrl }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(logger),
        OutboundUrlModule,
        DatabaseModule.forRoot(databaseUrl, logger),
        ClusterModule,
        AuditModule,
        AuthModule,
        TenantsModule,
        RealtimeModule,
        WhatsAppSessionsModule,
        MediaModule,
        MessagesModule,
        WhatsAppCompatModule,
        HealthModule,
        UsersModule,
        SettingsModule,
        DashboardModule,
        PanelModule,
        ProductsModule,
        WebhooksModule,
        AiHooksModule,
        ...(config.whatsapp.mode === 'sandbox' ? [SandboxModule] : []),
      ],
    };
  }
}
