import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { WhatsAppSessionsModule } from '../whatsapp-sessions/whatsapp-sessions.module';
import { ContactsController } from './contacts.controller';
import { IdentityService } from './identity.service';
import { InboundMediaDownloader } from './inbound-media';
import { InboundMessageHandler } from './inbound-message.handler';
import { MediaUploadLimitInterceptor, MessagesController } from './messages.controller';
import { MessagesRepository } from './messages.repository';
import { MessagesService } from './messages.service';
import { OutboxService } from './outbox.service';
import { RecipientResolver } from './recipient-resolver';
import { DatabaseStoredMessageLookup } from './stored-message.lookup';

@Module({
  imports: [
    WhatsAppSessionsModule,
    // Uploads stay in memory up to the media limit; a larger file is refused while it streams in.
    MulterModule.registerAsync({ inject: [APP_CONFIG], useFactory: (config: AppConfig) => ({ limits: { fileSize: config.media.maxBytes, files: 1, fields: 40 } }) }),
  ],
  controllers: [MessagesController, ContactsController],
  providers: [MediaUploadLimitInterceptor, MessagesRepository, IdentityService, MessagesService, OutboxService, RecipientResolver, InboundMessageHandler, InboundMediaDownloader, DatabaseStoredMessageLookup],
  exports: [MessagesService, InboundMessageHandler, MessagesRepository],
})
export class MessagesModule {}
