import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AuthUser, CurrentUser } from '../auth/auth-user';
import { validationError } from '../common/app-error';
import { ListQueryDto, parseListQuery, setContentRange } from '../common/list-query';
import { EditMessageDto, ReplyDto, SendMessageDto, SendResult } from './dto/send-message.dto';
import { ConversationView, MessageView } from './message.views';
import { CONVERSATION_SORT_FIELDS, ConversationFilter, MESSAGE_SORT_FIELDS, MessageFilter, MessagesService } from './messages.service';

@ApiTags('messages')
@ApiBearerAuth()
@Controller()
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Post('sessions/:id/messages')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retried request with the same key returns the first result' })
  send(
    @CurrentUser() user: AuthUser,
    @Param('id') sessionId: string,
    @Body() body: SendMessageDto,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<SendResult> {
    return this.messages.send(user.tenantId, sessionId, body, checkIdempotencyKey(idempotencyKey));
  }

  @Get('conversations')
  async listConversations(@CurrentUser() user: AuthUser, @Query() query: ListQueryDto, @Res({ passthrough: true }) response: Response): Promise<ConversationView[]> {
    const parsed = parseListQuery<ConversationFilter>(query, { sortable: CONVERSATION_SORT_FIELDS, defaultSort: ['lastMessageAt', 'DESC'], filters: ['sessionId', 'contactId', 'q'] });
    const { items, total } = await this.messages.listConversations(user.tenantId, parsed);
    setContentRange(response, 'conversations', parsed.offset, items.length, total);
    return items;
  }

  @Get('conversations/:id')
  getConversation(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<ConversationView> {
    return this.messages.getConversation(user.tenantId, id);
  }

  @Get('conversations/:id/messages')
  async thread(@CurrentUser() user: AuthUser, @Param('id') id: string, @Query() query: ListQueryDto, @Res({ passthrough: true }) response: Response): Promise<MessageView[]> {
    await this.messages.getConversation(user.tenantId, id);
    const parsed = parseListQuery<MessageFilter>(query, { sortable: MESSAGE_SORT_FIELDS, defaultSort: ['timestamp', 'ASC'], filters: ['direction'] });
    const { items, total } = await this.messages.listMessages(user.tenantId, { ...parsed, filter: { ...parsed.filter, conversationId: id } });
    setContentRange(response, 'messages', parsed.offset, items.length, total);
    return items;
  }

  @Post('conversations/:id/messages')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retried request with the same key returns the first result' })
  reply(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() body: ReplyDto, @Headers('idempotency-key') idempotencyKey?: string): Promise<SendResult> {
    return this.messages.reply(user.tenantId, id, body, checkIdempotencyKey(idempotencyKey));
  }

  @Post('conversations/:id/read')
  @HttpCode(200)
  markRead(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<ConversationView> {
    return this.messages.markRead(user.tenantId, id);
  }

  @Patch('messages/:id')
  edit(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() body: EditMessageDto): Promise<MessageView> {
    return this.messages.edit(user.tenantId, id, body.content);
  }

  @Delete('messages/:id')
  deleteForEveryone(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<MessageView> {
    return this.messages.deleteForEveryone(user.tenantId, id);
  }

  @Get('messages/:id')
  getMessage(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<MessageView> {
    return this.messages.getMessage(user.tenantId, id);
  }

  @Get('messages')
  async listMessages(@CurrentUser() user: AuthUser, @Query() query: ListQueryDto, @Res({ passthrough: true }) response: Response): Promise<MessageView[]> {
    const parsed = parseListQuery<MessageFilter>(query, { sortable: MESSAGE_SORT_FIELDS, defaultSort: ['timestamp', 'ASC'], filters: ['conversationId', 'sessionId', 'direction'] });
    const { items, total } = await this.messages.listMessages(user.tenantId, parsed);
    setContentRange(response, 'messages', parsed.offset, items.length, total);
    return items;
  }
}

/** Idempotency keys are opaque client strings of up to 200 printable ASCII characters. */
export function checkIdempotencyKey(key: string | undefined): string | undefined {
  if (key === undefined || key === '') return undefined;
  if (key.length > 200 || !/^[\x21-\x7e]+$/.test(key)) {
    throw validationError([{ field: 'Idempotency-Key', reason: 'must be 1 to 200 printable ASCII characters without spaces' }]);
  }
  return key;
}
