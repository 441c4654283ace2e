import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength, Validate, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';
import { OpeningHours, WEEKDAYS } from './opening-hours';

@ValidatorConstraint({ name: 'timeZone' })
class IsTimeZone implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'string') return false;
    try {
      new Intl.DateTimeFormat('en', { timeZone: value });
      return true;
    } catch {
      return false;
    }
  }

  defaultMessage(): string {
    return 'timeZone must be an IANA time zone such as America/Bogota';
  }
}

const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Opening hours: weekday names to lists of `{open, close}` in `HH:MM`, with `open` before `close`. */
@ValidatorConstraint({ name: 'openingHours' })
class IsOpeningHours implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
    return Object.entries(value).every(
      ([day, ranges]) =>
        (WEEKDAYS as readonly string[]).includes(day) &&
        Array.isArray(ranges) &&
        ranges.length <= 4 &&
        ranges.every((range) => typeof range?.open === 'string' && typeof range?.close === 'string' && TIME_OF_DAY.test(range.open) && TIME_OF_DAY.test(range.close) && range.open < range.close),
    );
  }

  defaultMessage(): string {
    return `openingHours must map weekdays (${WEEKDAYS.join(', ')}) to at most 4 ranges such as [{"open":"08:00","close":"18:00"}], with open before close`;
  }
}

export class UpdateSettingsDto {
  @ApiPropertyOptional({ example: 'Panadería La Espiga' })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({ example: 'America/Bogota' })
  @IsOptional()
  @Validate(IsTimeZone)
  timeZone?: string;

  @ApiPropertyOptional({ enum: ['es', 'en'] })
  @IsOptional()
  @IsIn(['es', 'en'], { message: 'language must be es or en' })
  language?: 'es' | 'en';

  @ApiPropertyOptional({ example: 'COP' })
  @IsOptional()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as COP' })
  currency?: string;

  @ApiPropertyOptional({ enum: ['store', 'ignore'], description: 'Group messages (default store)' })
  @IsOptional()
  @IsIn(['store', 'ignore'], { message: 'groups must be store or ignore' })
  groups?: 'store' | 'ignore';

  @ApiPropertyOptional({ enum: ['store', 'ignore'], description: 'Status broadcasts (default ignore)' })
  @IsOptional()
  @IsIn(['store', 'ignore'], { message: 'statuses must be store or ignore' })
  statuses?: 'store' | 'ignore';

  @ApiPropertyOptional({ enum: ['store', 'ignore'], description: 'Channel (newsletter) posts (default ignore)' })
  @IsOptional()
  @IsIn(['store', 'ignore'], { message: 'channels must be store or ignore' })
  channels?: 'store' | 'ignore';

  @ApiPropertyOptional({ description: 'Send read receipts when a conversation is opened in the panel (default true)' })
  @IsOptional()
  @IsBoolean({ message: 'readReceipts must be true or false' })
  readReceipts?: boolean;

  @ApiPropertyOptional({ description: 'Ask the phone for its full history when a number is linked (default false: recent chats only)' })
  @IsOptional()
  @IsBoolean({ message: 'fullHistorySync must be true or false' })
  fullHistorySync?: boolean;

  @ApiPropertyOptional({ example: 'Panadería de barrio: pan, tortas por encargo y café.' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  businessDescription?: string;

  @ApiPropertyOptional({ example: 'Calle 10 # 4-21, Bogotá' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  businessAddress?: string;

  @ApiPropertyOptional({ example: { monday: [{ open: '08:00', close: '18:00' }], sunday: [] }, description: 'Per weekday, in the tenant time zone; a day with no ranges is closed' })
  @IsOptional()
  @Validate(IsOpeningHours)
  openingHours?: OpeningHours;

  // Read-only field that react-admin sends back with the record; it is ignored.
  @IsOptional() id?: string;
}
