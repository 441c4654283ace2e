import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  MinLength,
  Min,
  Validate,
  ValidateIf,
  ValidateNested,
  ValidatorConstraint,
  ValidationArguments,
  ValidatorConstraintInterface,
} from 'class-validator';
import { HOOK_NAMES, HookName, LLM_PROVIDERS, LlmProviderName } from './hook-settings';

@ValidatorConstraint({ name: 'rulePattern' })
class IsRulePattern implements ValidatorConstraintInterface {
  validate(value: unknown, args?: ValidationArguments): boolean {
    if (typeof value !== 'string' || value.trim() === '') return false;
    if ((args?.object as ReplyRuleDto | undefined)?.match !== 'regex') return true;
    try {
      new RegExp(value, 'iu');
      return true;
    } catch {
      return false;
    }
  }

  defaultMessage(): string {
    return 'pattern must be non-empty text, and a valid JavaScript regular expression when match is regex';
  }
}

export class TypingDto {
  @IsOptional() @IsInt() @Min(0) @Max(1000) msPerCharacter?: number;
  @IsOptional() @IsInt() @Min(0) @Max(30_000) maxDelayMs?: number;
}

export class HandoffDto {
  @IsOptional() @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @IsNotEmpty({ each: true }) @MaxLength(200, { each: true }) phrases?: string[];
  @IsOptional() @IsString() @MaxLength(2000) reply?: string;
}

export class BusinessHoursDto {
  @IsOptional() @IsBoolean() enabled?: boolean;
  @IsOptional() @IsString() @IsNotEmpty({ message: 'outOfHoursReply must not be empty' }) @MaxLength(2000) outOfHoursReply?: string;
}

export class NonTextDto {
  @IsOptional() @IsIn(['reply', 'handoff'], { message: 'action must be reply or handoff' }) action?: 'reply' | 'handoff';
  @IsOptional() @IsString() @MaxLength(2000) reply?: string;
}

export class ReplyRuleDto {
  @IsIn(['contains', 'regex'], { message: 'match must be contains or regex' }) match!: 'contains' | 'regex';
  @Validate(IsRulePattern) @MaxLength(500) pattern!: string;
  @IsString() @IsNotEmpty({ message: 'reply must not be empty' }) @MaxLength(4000) reply!: string;
}

export class RulesDto {
  @IsOptional() @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @IsNotEmpty({ each: true }) @MaxLength(100, { each: true }) catalogKeywords?: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(200) @ValidateNested({ each: true }) @Type(() => ReplyRuleDto) rules?: ReplyRuleDto[];
}

export class LlmDto {
  @IsOptional() @IsIn(LLM_PROVIDERS as unknown as string[], { message: `provider must be one of ${LLM_PROVIDERS.join(', ')}` }) provider?: LlmProviderName;

  @IsOptional()
  @ApiPropertyOptional({ description: 'OpenAI-compatible or Anthropic base URL, such as http://127.0.0.1:11434/v1 for Ollama; null for the provider API' })
  @ValidateIf((_body, value) => value !== null)
  @IsString()
  @MaxLength(2000)
  baseUrl?: string | null;

  @IsOptional() @IsString() @IsNotEmpty({ message: 'model must not be empty' }) @MaxLength(200) model?: string;
  @IsOptional() @IsString() @MaxLength(8000) systemPrompt?: string;
  @IsOptional() @IsNumber() @Min(0) @Max(2) temperature?: number;
  @IsOptional() @IsInt() @Min(16) @Max(8192) maxTokens?: number;
  @IsOptional() @IsInt() @Min(0) monthlyTokenBudget?: number;
  @IsOptional() @IsInt() @Min(0) @Max(100) historyMessages?: number;
  @IsOptional() @IsInt() @Min(1000) @Max(120_000) timeoutMs?: number;

  @ApiPropertyOptional({ description: 'Write-only: a new API key, or null to remove it. Omit it to keep the stored key.' })
  @IsOptional()
  @ValidateIf((_body, value) => value !== null)
  @IsString()
  @IsNotEmpty({ message: 'apiKey must not be empty; send null to remove it' })
  @MaxLength(500)
  apiKey?: string | null;

  // Read-only fields of the settings view that the panel sends back; they are ignored.
  @IsOptional() hasApiKey?: boolean;
  @IsOptional() tokensThisMonth?: number;
}

export class WebhookHookDto {
  @IsOptional() @ValidateIf((_body, value) => value !== null) @IsString() @MaxLength(2000) url?: string | null;
  @IsOptional() @IsInt() @Min(1000) @Max(60_000) timeoutMs?: number;

  @ApiPropertyOptional({ description: 'Write-only: signs each request with X-Charla-Signature. Send null to remove it.', nullable: true })
  @IsOptional()
  @ValidateIf((_body, value) => value !== null)
  @IsString()
  @MinLength(16, { message: 'secret must be at least 16 characters; send null to remove it' })
  @MaxLength(256)
  secret?: string | null;

  // Read-only field of the settings view that the panel sends back; it is ignored.
  @IsOptional() hasSecret?: boolean;
}

/** A change to the automatic-reply settings: each section given replaces the stored one, absent sections stay. */
export class UpdateHookSettingsDto {
  @IsOptional() @IsBoolean() enabled?: boolean;

  @ApiPropertyOptional({ enum: HOOK_NAMES, isArray: true, example: ['rules', 'llm'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(HOOK_NAMES.length)
  @IsIn(HOOK_NAMES as unknown as string[], { each: true, message: `each hook must be one of ${HOOK_NAMES.join(', ')}` })
  chain?: HookName[];

  @IsOptional() @IsBoolean() replyInGroups?: boolean;
  @IsOptional() @IsInt() @Min(0) @Max(7 * 24 * 60) maxMessageAgeMinutes?: number;
  @IsOptional() @IsInt() @Min(1) @Max(1000) maxRepliesPerHour?: number;
  @IsOptional() @IsInt() @Min(2) @Max(100) botLoopReplies?: number;
  @IsOptional() @ValidateNested() @Type(() => TypingDto) typing?: TypingDto;
  @IsOptional() @ValidateNested() @Type(() => HandoffDto) handoff?: HandoffDto;
  @IsOptional() @ValidateNested() @Type(() => BusinessHoursDto) businessHours?: BusinessHoursDto;
  @IsOptional() @ValidateNested() @Type(() => NonTextDto) nonText?: NonTextDto;
  @IsOptional() @ValidateNested() @Type(() => RulesDto) rules?: RulesDto;
  @IsOptional() @ValidateNested() @Type(() => LlmDto) llm?: LlmDto;
  @IsOptional() @ValidateNested() @Type(() => WebhookHookDto) webhook?: WebhookHookDto;

  // Read-only field that react-admin sends back with the record; it is ignored.
  @IsOptional() id?: string;
}

export class PreviewDto {
  @IsString() @IsNotEmpty({ message: 'message must not be empty' }) @MaxLength(4000) message!: string;

  @ApiPropertyOptional({ description: 'A conversation whose history the LLM hook should see' })
  @IsOptional()
  @IsString()
  conversationId?: string;
}

export class ConversationAutomationDto {
  @IsIn(['bot', 'human'], { message: 'mode must be bot or human' }) mode!: 'bot' | 'human';
}
