import { Global, Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { RealtimeEvents } from './realtime-events';
import { RealtimeGateway } from './realtime.gateway';

@Global()
@Module({
  imports: [AuthModule],
  providers: [RealtimeEvents, RealtimeGateway],
  exports: [RealtimeEvents],
})
export class RealtimeModule {}
