import { Body, Controller, Delete, Get, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AuthUser, CurrentUser } from '../auth/auth-user';
import { Roles } from '../auth/roles';
import { ListQueryDto, parseListQuery, setContentRange } from '../common/list-query';
import { CreateProductDto, UpdateProductDto } from './product.dto';
import { PRODUCT_SORT_FIELDS, ProductFilter, ProductsService, ProductView } from './products.service';

/** The catalog: every member of the tenant reads it, admins change it. */
@ApiTags('products')
@ApiBearerAuth()
@Controller('products')
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  @Get()
  async list(@CurrentUser() user: AuthUser, @Query() query: ListQueryDto, @Res({ passthrough: true }) response: Response): Promise<ProductView[]> {
    const parsed = parseListQuery<ProductFilter>(query, { sortable: PRODUCT_SORT_FIELDS, defaultSort: ['name', 'ASC'], filters: ['q', 'active'] });
    const { items, total } = await this.products.list(user.tenantId, parsed);
    setContentRange(response, 'products', parsed.offset, items.length, total);
    return items;
  }

  @Get(':id')
  get(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<ProductView> {
    return this.products.get(user.tenantId, id);
  }

  @Post()
  @Roles('admin')
  create(@CurrentUser() user: AuthUser, @Body() body: CreateProductDto): Promise<ProductView> {
    return this.products.create(user.tenantId, body);
  }

  @Put(':id')
  @Roles('admin')
  replace(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() body: UpdateProductDto): Promise<ProductView> {
    return this.products.update(user.tenantId, id, body);
  }

  @Patch(':id')
  @Roles('admin')
  update(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() body: UpdateProductDto): Promise<ProductView> {
    return this.products.update(user.tenantId, id, body);
  }

  @Delete(':id')
  @Roles('admin')
  remove(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<ProductView> {
    return this.products.remove(user.tenantId, id);
  }
}
