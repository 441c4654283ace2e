import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** WhatsApp's own limit for one text message. */
export const MAX_TEXT_LENGTH = 65_536;

export class ReplyDto {
  @ApiProperty({ example: 'Hola, ¿en qué te ayudamos?' })
  @IsString({ message: 'content must be text' })
  @IsNotEmpty({ message: 'content must not be empty' })
  content!: string;
}

export class SendMessageDto extends ReplyDto {
  @ApiProperty({ example: '+57 300 123 4567', description: 'Phone number (with country code, or national in DEFAULT_COUNTRY) or WhatsApp user JID' })
  @IsString({ message: 'to must be a phone number as text' })
  @IsNotEmpty({ message: 'to must not be empty' })
  @MaxLength(64, { message: 'to must be at most 64 characters' })
  to!: string;
}

export interface SendResult {
  id: string;
  waMessageId: string | null;
  status: string;
  conversationId: string;
}
