import { Global, Module } from '@nestjs/common';
import { OutboundUrlGuard } from './outbound-url';

/** Makes the one URL guard available to every feature that calls tenants' URLs. */
@Global()
@Module({ providers: [OutboundUrlGuard], exports: [OutboundUrlGuard] })
export class OutboundUrlModule {}
