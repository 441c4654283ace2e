import { Body, Controller, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '../auth/auth-user';
import { Roles } from '../auth/roles';
import { AppError } from '../common/app-error';
import { ConversationAutomationService, ConversationAutomationView } from './conversation-automation.service';
import { HookChain, HookDecision } from './hook-chain';
import { ConversationAutomationDto, PreviewDto, UpdateHookSettingsDto } from './hook-settings.dto';
import { HookSettingsService, HookSettingsView } from './hook-settings.service';

@ApiTags('automation')
@ApiBearerAuth()
@Controller()
export class AiHooksController {
  constructor(
    private readonly settings: HookSettingsService,
    private readonly chain: HookChain,
    private readonly conversations: ConversationAutomationService,
  ) {}

  @Get('automation')
  @Roles('admin')
  get(@CurrentUser() user: AuthUser): Promise<HookSettingsView> {
    return this.settings.view(user.tenantId);
  }

  @Put('automation')
  @Roles('admin')
  replace(@CurrentUser() user: AuthUser, @Body() body: UpdateHookSettingsDto): Promise<HookSettingsView> {
    return this.settings.update(user.tenantId, body);
  }

  @Patch('automation')
  @Roles('admin')
  update(@CurrentUser() user: AuthUser, @Body() body: UpdateHookSettingsDto): Promise<HookSettingsView> {
    return this.settings.update(user.tenantId, body);
  }

  /** Runs the saved chain on a message and returns what the bot would answer, without sending it. Model calls count against the token budget. */
  @Post('automation/preview')
  @Roles('admin')
  @HttpCode(200)
  async preview(@CurrentUser() user: AuthUser, @Body() body: PreviewDto): Promise<HookDecision> {
    if (body.conversationId) await this.conversations.get(user.tenantId, body.conversationId);
    const settings = await this.settings.load(user.tenantId);
    try {
      return await this.chain.decide(user.tenantId, body.conversationId ?? null, { type: 'text', content: body.message }, settings);
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw AppError.unprocessable('HOOK_FAILED', `A hook failed while answering the test message: ${(error as Error).message}. Check the model or webhook settings.`);
    }
  }

  @Get('conversations/:id/automation')
  getConversation(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<ConversationAutomationView> {
    return this.conversations.get(user.tenantId, id);
  }

  /** Agents switch a conversation between the bot and a human. */
  @Put('conversations/:id/automation')
  setConversation(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() body: ConversationAutomationDto): Promise<ConversationAutomationView> {
    return this.conversations.set(user.tenantId, id, body.mode, user.id);
  }
}
