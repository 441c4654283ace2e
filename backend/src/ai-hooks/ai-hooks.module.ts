import { Module } from '@nestjs/common';
import { TenantSecrets } from '../common/tenant-secrets';
import { MessagesModule } from '../messages/messages.module';
import { ProductsModule } from '../products/products.module';
import { WhatsAppSessionsModule } from '../whatsapp-sessions/whatsapp-sessions.module';
import { AiHooksController } from './ai-hooks.controller';
import { ConversationAutomationService } from './conversation-automation.service';
import { HookChain } from './hook-chain';
import { HookSettingsService } from './hook-settings.service';
import { HookWorker } from './hook-worker';

/** Automatic replies: tenant hook settings, the hook chain, its job worker and the bot/human switch. */
@Module({
  imports: [MessagesModule, ProductsModule, WhatsAppSessionsModule],
  controllers: [AiHooksController],
  providers: [TenantSecrets, HookSettingsService, HookChain, ConversationAutomationService, HookWorker],
})
export class AiHooksModule {}
