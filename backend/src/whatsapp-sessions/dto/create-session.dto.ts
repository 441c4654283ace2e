import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';


export class CreateSessionDto {
  @ApiProperty({ example: 'Tienda centro' })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString({ message: 'name must be text' })
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(100, { message: 'name must be at most 100 characters' })
  name!: string;
}

export class PairingCodeDto {
  @ApiProperty({ example: '+57 300 123 4567', description: 'The number of the phone that will enter the code' })
  @IsString({ message: 'phoneNumber must be text' })
  @IsNotEmpty({ message: 'phoneNumber must not be empty' })
  @MaxLength(32, { message: 'phoneNumber must be at most 32 characters' })
  phoneNumber!: string;
}
