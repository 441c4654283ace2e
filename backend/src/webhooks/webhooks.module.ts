import { Module } from '@nestjs/common';
import { TenantSecrets } from '../common/tenant-secrets';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

@Module({ controllers: [WebhooksController], providers: [TenantSecrets, WebhookDispatcher, WebhooksService] })
export class WebhooksModule {}
