import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsNotEmpty, IsNumber, IsOptional, IsString, IsUrl, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const emptyToNull = ({ value }: { value: unknown }) => (typeof value === 'string' && value.trim() === '' ? null : typeof value === 'string' ? value.trim() : value);

/** Fields a product is created with; `currency` defaults to the tenant's currency. */
export class CreateProductDto {
  @ApiProperty({ example: 'Torta de chocolate' })
  @Transform(trim)
  @IsString({ message: 'name must be text' })
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ example: 'Para 12 porciones, por encargo con un día de anticipación.' })
  @IsOptional()
  @Transform(emptyToNull)
  @ValidateIf((_body, value) => value !== null)
  @IsString({ message: 'description must be text' })
  @MaxLength(2000)
  description?: string | null;

  @ApiProperty({ example: 85000, description: 'Price in `currency`, with at most 2 decimals' })
  @IsNumber({ maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false }, { message: 'price must be a number with at most 2 decimals' })
  @Min(0, { message: 'price must not be negative' })
  @Max(999_999_999_999, { message: 'price must be below 1e12' })
  price!: number;

  @ApiPropertyOptional({ example: 'COP' })
  @IsOptional()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as COP' })
  currency?: string;

  @ApiPropertyOptional({ example: 'TORTA-CHOC-12' })
  @IsOptional()
  @Transform(emptyToNull)
  @ValidateIf((_body, value) => value !== null)
  @IsString({ message: 'sku must be text' })
  @MaxLength(64)
  sku?: string | null;

  @ApiPropertyOptional({ example: 5, description: 'Units in stock; null when not tracked' })
  @IsOptional()
  @ValidateIf((_body, value) => value !== null)
  @IsInt({ message: 'stock must be a whole number' })
  @Min(0, { message: 'stock must not be negative' })
  stock?: number | null;

  @ApiPropertyOptional({ example: 'https://tienda.example/torta.jpg' })
  @IsOptional()
  @Transform(emptyToNull)
  @ValidateIf((_body, value) => value !== null)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true }, { message: 'imageUrl must be an http or https URL' })
  @MaxLength(2000)
  imageUrl?: string | null;

  @ApiPropertyOptional({ default: true, description: 'Inactive products are hidden from automatic replies' })
  @IsOptional()
  @IsBoolean({ message: 'active must be true or false' })
  active?: boolean;
}

/** Any fields of a product; react-admin sends the whole record back, read-only fields included. */
export class UpdateProductDto extends PartialType(CreateProductDto) {
  // Read-only fields that react-admin sends back with the record; they are ignored.
  @IsOptional() id?: string;
  @IsOptional() createdAt?: string;
  @IsOptional() updatedAt?: string;
}
