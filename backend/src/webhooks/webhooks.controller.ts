import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AuthUser, CurrentUser } from '../auth/auth-user';
import { Roles } from '../auth/roles';
import { ListQueryDto, parseListQuery, setContentRange } from '../common/list-query';
import { CreateWebhookDto, UpdateWebhookDto } from './webhook.dto';
import { DELIVERY_SORT_FIELDS, DeliveryFilter, WebhookDeliveryView, WebhooksService, WebhookView } from './webhooks.service';

@ApiTags('webhooks')
@ApiBearerAuth()
@Roles('admin')
@Controller()
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Get('webhooks')
  async list(@CurrentUser() user: AuthUser, @Res({ passthrough: true }) response: Response): Promise<WebhookView[]> {
    const items = await this.webhooks.list(user.tenantId);
    setContentRange(response, 'webhooks', 0, items.length, items.length);
    return items;
  }

  @Get('webhooks/:id')
  get(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<WebhookView> {
    return this.webhooks.get(user.tenantId, id);
  }

  @Post('webhooks')
  create(@CurrentUser() user: AuthUser, @Body() body: CreateWebhookDto): Promise<WebhookView & { secret: string }> {
    return this.webhooks.create(user.tenantId, body);
  }

  @Put('webhooks/:id')
  replace(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() body: UpdateWebhookDto): Promise<WebhookView> {
    return this.webhooks.update(user.tenantId, id, body);
  }

  @Patch('webhooks/:id')
  update(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() body: UpdateWebhookDto): Promise<WebhookView> {
    return this.webhooks.update(user.tenantId, id, body);
  }

  @Delete('webhooks/:id')
  remove(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<WebhookView> {
    return this.webhooks.remove(user.tenantId, id);
  }

  @Post('webhooks/:id/test')
  @HttpCode(202)
  test(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<WebhookDeliveryView> {
    return this.webhooks.sendTest(user.tenantId, id);
  }

  @Get('webhook-deliveries')
  async deliveries(@CurrentUser() user: AuthUser, @Query() query: ListQueryDto, @Res({ passthrough: true }) response: Response): Promise<WebhookDeliveryView[]> {
    const parsed = parseListQuery<DeliveryFilter>(query, { sortable: DELIVERY_SORT_FIELDS, defaultSort: ['createdAt', 'DESC'], filters: ['endpointId', 'status', 'event'] });
    const { items, total } = await this.webhooks.listDeliveries(user.tenantId, parsed);
    setContentRange(response, 'webhook-deliveries', parsed.offset, items.length, total);
    return items;
  }

  @Get('webhook-deliveries/:id')
  delivery(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<WebhookDeliveryView> {
    return this.webhooks.getDelivery(user.tenantId, id);
  }
}
