import { Module } from '@nestjs/common';
import { SimulatorHost } from '../sandbox/simulator-host';
import { FileAuthStateStore } from './auth-state.store';
import { baileysProvider } from './baileys.provider';
import { ConnectionManager } from './connection-manager.service';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';
import { WhatsAppEvents } from './whatsapp-events';
import { whatsappTransportProvider } from './whatsapp-transport';

@Module({
  controllers: [SessionsController],
  providers: [baileysProvider, whatsappTransportProvider, SimulatorHost, FileAuthStateStore, ConnectionManager, SessionsService, WhatsAppEvents],
  exports: [baileysProvider, SimulatorHost, ConnectionManager, SessionsService, WhatsAppEvents, FileAuthStateStore],
})
export class WhatsAppSessionsModule {}
