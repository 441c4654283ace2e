import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateTenantDto {
  @ApiProperty({ example: 'Panadería La Espiga' })
  @Transform(trim)
  @IsString()
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(100)
  name!: string;

  @ApiProperty({ example: 'duena@laespiga.co' })
  @Transform(trim)
  @IsEmail({ require_tld: false }, { message: 'adminEmail must be an email address' })
  adminEmail!: string;

  @ApiProperty({ minLength: 8 })
  @IsString()
  @MinLength(8, { message: 'adminPassword must be at least 8 characters long' })
  @MaxLength(200)
  adminPassword!: string;

  @ApiPropertyOptional({ example: 'Lucía' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(100)
  adminName?: string;
}

export class UpdateTenantDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trim)
  @IsString()
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({ enum: ['active', 'suspended'] })
  @IsOptional()
  @IsIn(['active', 'suspended'], { message: 'status must be active or suspended' })
  status?: 'active' | 'suspended';

  // Read-only fields that react-admin sends back with the whole record; they are ignored.
  @IsOptional() id?: string;
  @IsOptional() createdAt?: string;
}
