import { Body, Controller, Get, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '../auth/auth-user';
import { hasRole, Roles } from '../auth/roles';
import { SendMessageDto, SendResult } from '../messages/dto/send-message.dto';
import { checkIdempotencyKey } from '../messages/messages.controller';
import { MessagesService } from '../messages/messages.service';
import { SessionsService, SessionView } from '../whatsapp-sessions/sessions.service';

export interface CompatStatus {
  status: string;
  phoneNumber: string | null;
  qr: string | null;
  qrDataUrl: string | null;
}

/**
 * The seed system's four calls, kept for its clients: each acts on the caller tenant's default
 * session, which is created on first use.
 */
@ApiTags('whatsapp (compatibility)')
@ApiBearerAuth()
@Controller('whatsapp')
export class WhatsAppCompatController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly messages: MessagesService,
  ) {}

  @Roles('admin')
  @Post('connect')
  @HttpCode(202)
  async connect(@CurrentUser() user: AuthUser): Promise<SessionView> {
    const session = await this.sessions.findOrCreateDefault(user.tenantId);
    return this.sessions.connect(user, session.id);
  }

  @Get('status')
  async status(@CurrentUser() user: AuthUser): Promise<CompatStatus> {
    const session = await this.sessions.findOrCreateDefault(user.tenantId);
    const view = this.sessions.toView(session);
    // Only admins link numbers, so only they see the QR code.
    const qr = hasRole(user, ['admin']) ? this.sessions.currentQr(session) : undefined;
    return { status: view.status, phoneNumber: view.phoneNumber, qr: qr?.qr ?? null, qrDataUrl: qr?.qrDataUrl ?? null };
  }

  @Post('send')
  async send(@CurrentUser() user: AuthUser, @Body() body: SendMessageDto, @Headers('idempotency-key') idempotencyKey?: string): Promise<SendResult> {
    const session = await this.sessions.findOrCreateDefault(user.tenantId);
    return this.messages.send(user.tenantId, session.id, body, checkIdempotencyKey(idempotencyKey));
  }

  @Roles('admin')
  @Post('disconnect')
  @HttpCode(200)
  async disconnect(@CurrentUser() user: AuthUser): Promise<SessionView> {
    const session = await this.sessions.findOrCreateDefault(user.tenantId);
    return this.sessions.disconnect(user, session.id);
  }
}
