import { Module } from '@nestjs/common';
import { WhatsAppSessionsModule } from '../whatsapp-sessions/whatsapp-sessions.module';
import { SandboxController } from './sandbox.controller';
import { SandboxService } from './sandbox.service';
import { SimulatorClient } from './simulator.client';

/** Sandbox routes; the app module imports this module only when WHATSAPP_MODE=sandbox. */
@Module({
  imports: [WhatsAppSessionsModule],
  controllers: [SandboxController],
  providers: [SandboxService, SimulatorClient],
})
export class SandboxModule {}
