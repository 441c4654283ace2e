import { Body, CallHandler, Controller, Delete, ExecutionContext, Get, Headers, HttpCode, Injectable, NestInterceptor, Param, Patch, PayloadTooLargeException, Post, Query, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { catchError, Observable, throwError } from 'rxjs';
import { ApiHeader } from '@nestjs/swagger';
import { ApiBearerAuth, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AuthUser, CurrentUser } from '../auth/auth-user';
import { validationError } from '../common/app-error';
import { MediaService, tooLarge } from '../media/media.service';
import { ListQueryDto, parseListQuery, setContentRange } from '../common/list-query';
import { EditMessageDto, ReplyDto, SendMessageDto, SendResult, UploadedMedia } from './dto/send-message.dto';
import { ConversationView, MessageView } from './message.views';
import { CONVERSATION_SORT_FIELDS, ConversationFilter, MESSAGE_SORT_FIELDS, MessageFilter, MessagesService } from './messages.service';

/** Turns multer's size refusal into 413 `MEDIA_TOO_LARGE` with the limit. */
@Injectable()
export class MediaUploadLimitInterceptor implements NestInterceptor {
  constructor(private readonly media: MediaService) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      catchError((error: unknown) => throwError(() => (error instanceof PayloadTooLargeException ? tooLarge('The uploaded file', `more than ${this.media.maxBytes}`, this.media.maxBytes) : error))),
    );
  }
}

@ApiTags('messages')
@ApiBearerAuth()
@Controller()
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Post('sessions/:id/messages')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retried request with the same key returns the first result' })
  @ApiConsumes('application/json', 'multipart/form-data')
  @UseInterceptors(MediaUploadLimitInterceptor, FileInterceptor('file'))
  send(
    @CurrentUser() user: AuthUser,
    @Param('id') sessionId: string,
    @Body() body: SendMessageDto,
    @UploadedFile() file?: UploadedMedia,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<SendResult> {
    return this.messages.send(user.tenantId, sessionId, body, checkIdempotencyKey(idempotencyKey), file);
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
  @ApiConsumes('application/json', 'multipart/form-data')
  @UseInterceptors(MediaUploadLimitInterceptor, FileInterceptor('file'))
  reply(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() body: ReplyDto,
    @UploadedFile() file?: UploadedMedia,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<SendResult> {
    return this.messages.reply(user.tenantId, id, body, checkIdempotencyKey(idempotencyKey), undefined, file);
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
