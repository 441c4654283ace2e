import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';

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

export class SandboxMessageDto {
  @ApiProperty({ example: '+573000000002', description: 'The virtual contact that sends' })
  @Matches(E164, { message: `from ${E164_MESSAGE}` })
  from!: string;

  @ApiProperty({ example: '+573000000001', description: 'A number linked by one of your sessions' })
  @Matches(E164, { message: `to ${E164_MESSAGE}` })
  to!: string;

  @ApiProperty({ example: 'Hola!' })
  @IsString()
  @IsNotEmpty({ message: 'content must not be empty' })
  @MaxLength(65_536)
  content!: string;

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
