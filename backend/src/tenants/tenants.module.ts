import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { WhatsAppSessionsModule } from '../whatsapp-sessions/whatsapp-sessions.module';
import { FirstAdminSeeder } from './first-admin.seeder';
import { TenantsController } from './tenants.controller';
import { TenantsService } from './tenants.service';

@Module({
  imports: [AuthModule, WhatsAppSessionsModule],
  controllers: [TenantsController],
  providers: [FirstAdminSeeder, TenantsService],
})
export class TenantsModule {}
