import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateIf } from 'class-validator';

const E164 = /^\+[1-9]\d{6,14}$/;
const E164_MESSAGE = 'must be an E.164 phone number such as +573000000001';

export class SandboxScanDto {
  @ApiProperty({ description: 'The QR string from session.qr or GET /api/sessions/:id/qr' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  qr!: string;

  @ApiProperty({ example: '+573000000001' })
  @Matches(E164, { message: `phoneNumber ${E164_MESSAGE}` })
  phoneNumber!: string;

  @ApiPropertyOptional({ example: 'Tienda Demo' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  pushName?: string;
}

export const CUSTOMER_MESSAGE_TYPES = ['text', 'location', 'liveLocation', 'contact', 'reaction', 'poll', 'pollVote', 'edit', 'delete', 'buttonReply', 'listReply', 'image', 'video', 'audio', 'document', 'sticker'] as const;

export class SandboxContactDto {
  @ApiProperty({ example: '+573000000002' })
  @Matches(E164, { message: `phoneNumber ${E164_MESSAGE}` })
  phoneNumber!: string;

  @ApiProperty({ example: 'Ana' })
  @IsString()
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(100)
  name!: string;

  @ApiPropertyOptional({ example: '123456789012345@lid' })
  @IsOptional()
  @Matches(/^\d{6,20}@lid$/, { message: 'lid must look like 123456789012345@lid' })
  lid?: string;
}

export class SandboxReadDto {
  @ApiProperty({ example: '+573000000002', description: 'The virtual contact that opens its chats' })
  @Matches(E164, { message: `phoneNumber ${E164_MESSAGE}` })
  phoneNumber!: string;
}

export class SandboxMessageDto {
  @ApiProperty({ example: '+573000000002', description: 'The virtual contact that sends' })
  @Matches(E164, { message: `from ${E164_MESSAGE}` })
  from!: string;

  @ApiProperty({ example: '+573000000001', description: 'A number linked by one of your sessions' })
  @Matches(E164, { message: `to ${E164_MESSAGE}` })
  to!: string;

  @ApiPropertyOptional({ enum: CUSTOMER_MESSAGE_TYPES, default: 'text' })
  @IsOptional()
  @IsIn(CUSTOMER_MESSAGE_TYPES as unknown as string[], { message: `type must be one of ${CUSTOMER_MESSAGE_TYPES.join(', ')}` })
  type?: (typeof CUSTOMER_MESSAGE_TYPES)[number];

  @ApiPropertyOptional({ example: 'Hola!', description: 'text and edit' })
  @ValidateIf((body: SandboxMessageDto) => (body.type ?? 'text') === 'text' || body.type === 'edit')
  @IsString()
  @IsNotEmpty({ message: 'content must not be empty' })
  @MaxLength(65_536)
  content?: string;

  @ApiPropertyOptional({ description: 'The fields of the other types, as the simulator takes them (see simulator/README.md)' })
  @IsOptional() latitude?: number;
  @IsOptional() longitude?: number;
  @IsOptional() name?: string;
  @IsOptional() address?: string;
  @IsOptional() caption?: string;
  @IsOptional() phoneNumber?: string;
  @IsOptional() contacts?: unknown[];
  @IsOptional() waMessageId?: string;
  @IsOptional() emoji?: string;
  @IsOptional() options?: string[];
  @IsOptional() multiple?: boolean;
  @IsOptional() id?: string;
  @IsOptional() title?: string;
  @IsOptional() replyTo?: string;
  @IsOptional() linkPreview?: unknown;
  @IsOptional() @IsIn(['pn', 'lid', 'lid-without-pn']) addressing?: string;

  @ApiPropertyOptional({ description: 'Media types: the file as base64 (a generated sample when absent); the JSON body limit (BODY_LIMIT) applies' })
  @IsOptional() @IsString() data?: string;
  @IsOptional() @IsString() @MaxLength(255) mimeType?: string;
  @IsOptional() @IsString() @MaxLength(255) fileName?: string;
  @IsOptional() @IsBoolean() ptt?: boolean;
  @IsOptional() seconds?: number;
  @ApiPropertyOptional({ enum: ['reupload', 'gone'], description: 'Media types: the first link is dead; `reupload` lets the phone upload it again on request, `gone` does not' })
  @IsOptional() @IsIn(['reupload', 'gone']) expired?: string;

  @ApiPropertyOptional({ example: 'Ana' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  pushName?: string;
}

export class SandboxPairingCodeDto {
  @ApiProperty({ example: '+573000000001', description: 'The virtual phone that enters the code' })
  @Matches(E164, { message: `phoneNumber ${E164_MESSAGE}` })
  phoneNumber!: string;

  @ApiProperty({ example: 'ABCD1234', description: 'The code from POST /api/sessions/:id/pairing-code' })
  @Matches(/^[A-Z0-9]{8}$/, { message: 'code must be the 8 characters shown, such as ABCD1234' })
  code!: string;
}

export const FAULT_KINDS = [
  'drop',
  'stall',
  'bad-session',
  'downgrade',
  'forbidden',
  'logout',
  'conflict',
  'restart-required',
  'silence',
  'refresh-qr-refs',
  'restrict',
  'pairing-reject',
] as const;

export class SandboxFaultDto {
  @ApiProperty({ description: 'One of your sessions' })
  @IsUUID('all', { message: 'sessionId must be a UUID' })
  sessionId!: string;

  @ApiProperty({ enum: FAULT_KINDS })
  @IsIn(FAULT_KINDS as unknown as string[], { message: `kind must be one of ${FAULT_KINDS.join(', ')}` })
  kind!: (typeof FAULT_KINDS)[number];
}
