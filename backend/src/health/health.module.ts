import { Module } from '@nestjs/common';
import { WhatsAppSessionsModule } from '../whatsapp-sessions/whatsapp-sessions.module';
import { HealthController } from './health.controller';

@Module({ imports: [WhatsAppSessionsModule], controllers: [HealthController] })
export class HealthModule {}
