import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { FirstAdminSeeder } from './first-admin.seeder';

@Module({
  imports: [AuthModule],
  providers: [FirstAdminSeeder],
})
export class TenantsModule {}
