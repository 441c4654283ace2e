import { Module } from '@nestjs/common';
import { SimulatorHost } from '../sandbox/simulator-host';
import { AuthStateStore, FileAuthStateStore } from './auth-state.store';
import { authStateStoreProvider } from './auth-state-store.provider';
import { baileysProvider } from './baileys.provider';
import { ConnectionManager } from './connection-manager.service';
import { DatabaseAuthStateStore } from './database-auth-state.store';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';
import { WhatsAppEvents } from './whatsapp-events';
import { whatsappTransportProvider } from './whatsapp-transport';

@Module({
  controllers: [SessionsController],
  providers: [
    baileysProvider,
    whatsappTransportProvider,
    SimulatorHost,
    FileAuthStateStore,
    DatabaseAuthStateStore,
    authStateStoreProvider,
    ConnectionManager,
    SessionsService,
    WhatsAppEvents,
  ],
  exports: [baileysProvider, SimulatorHost, ConnectionManager, SessionsService, WhatsAppEvents, AuthStateStore],
})
export class WhatsAppSessionsModule {}
