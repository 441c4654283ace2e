import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsNotEmpty, IsNumber, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';

/** WhatsApp's own limit for one text message. */
export const MAX_TEXT_LENGTH = 65_536;

export const SEND_TYPES = ['text', 'location', 'contact', 'reaction', 'poll', 'image', 'video', 'audio', 'document', 'sticker'] as const;
export type SendType = (typeof SEND_TYPES)[number];

const isType = (...types: SendType[]) => (body: ReplyDto) => types.includes((body.type ?? 'text') as SendType);

/** A message to send in a conversation: `type` picks which of the other fields apply. */
export class ReplyDto {
  @ApiPropertyOptional({ enum: SEND_TYPES, default: 'text' })
  @IsOptional()
  @IsIn(SEND_TYPES as unknown as string[], { message: `type must be one of ${SEND_TYPES.join(', ')}` })
  type?: SendType;

  @ApiPropertyOptional({ example: 'Hola, ¿en qué te ayudamos?', description: 'text' })
  @ValidateIf(isType('text'))
  @IsString({ message: 'content must be text' })
  @IsNotEmpty({ message: 'content must not be empty' })
  content?: string;

  @ApiPropertyOptional({ example: 4.6486, description: 'location' })
  @ValidateIf(isType('location'))
  @IsNumber({}, { message: 'latitude must be a number' })
  @Min(-90)
  @Max(90)
  latitude?: number;

  @ApiPropertyOptional({ example: -74.0614, description: 'location' })
  @ValidateIf(isType('location'))
  @IsNumber({}, { message: 'longitude must be a number' })
  @Min(-180)
  @Max(180)
  longitude?: number;

  @ApiPropertyOptional({ description: 'location (optional), contact and poll (required)' })
  @ValidateIf((body: ReplyDto) => isType('contact', 'poll')(body) || body.name !== undefined)
  @IsString({ message: 'name must be text' })
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(256)
  name?: string;

  @ApiPropertyOptional({ description: 'location' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  address?: string;

  @ApiPropertyOptional({ example: '+57 300 123 4567', description: 'contact' })
  @ValidateIf(isType('contact'))
  @IsString({ message: 'phoneNumber must be text' })
  @IsNotEmpty({ message: 'phoneNumber must not be empty' })
  @MaxLength(32)
  phoneNumber?: string;

  @ApiPropertyOptional({ description: 'reaction: the Charla id of the message to react to' })
  @ValidateIf(isType('reaction'))
  @IsUUID('all', { message: 'messageId must be a UUID' })
  messageId?: string;

  @ApiPropertyOptional({ example: '👍', description: 'reaction; an empty emoji removes ours' })
  @ValidateIf(isType('reaction'))
  @IsString({ message: 'emoji must be text' })
  @MaxLength(16)
  emoji?: string;

  @ApiPropertyOptional({ example: ['Mango', 'Lulo'], description: 'poll' })
  @ValidateIf(isType('poll'))
  @IsArray({ message: 'options must be a list' })
  @ArrayMinSize(2, { message: 'options must have at least 2 entries' })
  @ArrayMaxSize(12, { message: 'options must have at most 12 entries' })
  @IsString({ each: true })
  @IsNotEmpty({ each: true, message: 'each option must not be empty' })
  @MaxLength(100, { each: true })
  options?: string[];

  @ApiPropertyOptional({ description: 'poll: several options may be chosen' })
  @IsOptional()
  @IsBoolean({ message: 'multiple must be true or false' })
  multiple?: boolean;

  @ApiPropertyOptional({ example: 'https://tienda.example/catalogo.pdf', description: 'media: fetch the file from this http(s) URL instead of uploading it as multipart `file`' })
  @IsOptional()
  @IsString({ message: 'url must be text' })
  @MaxLength(2048, { message: 'url must be at most 2048 characters' })
  url?: string;

  @ApiPropertyOptional({ example: 'Nuestro menú de hoy', description: 'image, video and document' })
  @IsOptional()
  @IsString({ message: 'caption must be text' })
  @MaxLength(4096, { message: 'caption must be at most 4096 characters' })
  caption?: string;

  @ApiPropertyOptional({ example: 'factura-42.pdf', description: 'document: the name the recipient sees (default: the uploaded name)' })
  @IsOptional()
  @IsString({ message: 'fileName must be text' })
  @MaxLength(255, { message: 'fileName must be at most 255 characters' })
  @Matches(/^[^/\\\u0000-\u001f]+$/, { message: 'fileName must not contain slashes or control characters' })
  fileName?: string;

  @ApiPropertyOptional({ description: 'audio: send as a voice note (push to talk)' })
  @IsOptional()
  // Multipart fields arrive as text.
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'ptt must be true or false' })
  ptt?: boolean;

  @ApiPropertyOptional({ description: 'The Charla id of the message this one replies to' })
  @IsOptional()
  @IsUUID('all', { message: 'replyTo must be a UUID' })
  replyTo?: string;
}

export class SendMessageDto extends ReplyDto {
  @ApiProperty({ example: '+57 300 123 4567', description: 'Phone number (with country code, or national in DEFAULT_COUNTRY) or WhatsApp user JID' })
  @IsString({ message: 'to must be a phone number as text' })
  @IsNotEmpty({ message: 'to must not be empty' })
  @MaxLength(64, { message: 'to must be at most 64 characters' })
  to!: string;
}

export class EditMessageDto {
  @ApiProperty({ example: 'Texto corregido' })
  @IsString({ message: 'content must be text' })
  @IsNotEmpty({ message: 'content must not be empty' })
  content!: string;
}

/** A file from a multipart request's `file` field, as multer keeps it in memory. */
export interface UploadedMedia {
  buffer: Buffer;
  mimetype: string;
  originalname: string;
  size: number;
}

export interface SendResult {
  id: string;
  waMessageId: string | null;
  status: string;
  conversationId: string;
}
