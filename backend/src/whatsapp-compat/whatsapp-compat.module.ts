import { Module } from '@nestjs/common';
import { MessagesModule } from '../messages/messages.module';
import { WhatsAppSessionsModule } from '../whatsapp-sessions/whatsapp-sessions.module';
import { WhatsAppCompatController } from './whatsapp-compat.controller';

@Module({ imports: [WhatsAppSessionsModule, MessagesModule], controllers: [WhatsAppCompatController] })
export class WhatsAppCompatModule {}
