import { Module } from '@nestjs/common';
import { WhatsAppSessionsModule } from '../whatsapp-sessions/whatsapp-sessions.module';
import { ContactsController } from './contacts.controller';
import { IdentityService } from './identity.service';
import { InboundMessageHandler } from './inbound-message.handler';
import { MessagesController } from './messages.controller';
import { MessagesRepository } from './messages.repository';
import { MessagesService } from './messages.service';
import { OutboxService } from './outbox.service';
import { RecipientResolver } from './recipient-resolver';
import { DatabaseStoredMessageLookup } from './stored-message.lookup';

@Module({
  imports: [WhatsAppSessionsModule],
  controllers: [MessagesController, ContactsController],
  providers: [MessagesRepository, IdentityService, MessagesService, OutboxService, RecipientResolver, InboundMessageHandler, DatabaseStoredMessageLookup],
  exports: [MessagesService, InboundMessageHandler, MessagesRepository],
})
export class MessagesModule {}
