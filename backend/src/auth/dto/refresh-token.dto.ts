import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

export class RefreshTokenDto {
  @ApiProperty({ description: 'The refresh token from the last login or refresh' })
  @IsString({ message: 'refreshToken must be a string' })
  @MinLength(1, { message: 'refreshToken must not be empty' })
  @MaxLength(200)
  refreshToken!: string;
}
