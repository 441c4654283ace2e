import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import type { UserRole } from '../../users/user.entity';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateApiKeyDto {
  @ApiProperty({ example: 'Online store' })
  @Transform(trim)
  @IsString()
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(100)
  name!: string;

  // superadmin passes validation so that the service can answer 403, as the users routes do.
  @ApiProperty({ enum: ['admin', 'agent'] })
  @IsIn(['superadmin', 'admin', 'agent'], { message: 'role must be admin or agent' })
  role!: UserRole;
}
