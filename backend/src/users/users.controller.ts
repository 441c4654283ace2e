import { Body, Controller, Delete, Get, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AuthUser, CurrentUser } from '../auth/auth-user';
import { Roles } from '../auth/roles';
import { ListQueryDto, parseListQuery, setContentRange } from '../common/list-query';
import { CreateUserDto, UpdateUserDto } from './dto/user.dto';
import { UserFilter, UsersService, UserView } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Roles('admin')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  async list(@CurrentUser() actor: AuthUser, @Query() query: ListQueryDto, @Res({ passthrough: true }) response: Response): Promise<UserView[]> {
    const parsed = parseListQuery<UserFilter>(query, { sortable: ['createdAt', 'name', 'email', 'role'], defaultSort: ['createdAt', 'ASC'], filters: ['q', 'role', 'active'] });
    const { items, total } = await this.users.list(actor, parsed);
    setContentRange(response, 'users', parsed.offset, items.length, total);
    return items;
  }

  @Get(':id')
  get(@CurrentUser() actor: AuthUser, @Param('id') id: string): Promise<UserView> {
    return this.users.get(actor, id);
  }

  @Post()
  create(@CurrentUser() actor: AuthUser, @Body() body: CreateUserDto): Promise<UserView> {
    return this.users.create(actor, body);
  }

  @Put(':id')
  replace(@CurrentUser() actor: AuthUser, @Param('id') id: string, @Body() body: UpdateUserDto): Promise<UserView> {
    return this.users.update(actor, id, body);
  }

  @Patch(':id')
  update(@CurrentUser() actor: AuthUser, @Param('id') id: string, @Body() body: UpdateUserDto): Promise<UserView> {
    return this.users.update(actor, id, body);
  }

  @Delete(':id')
  deactivate(@CurrentUser() actor: AuthUser, @Param('id') id: string): Promise<UserView> {
    return this.users.deactivate(actor, id);
  }
}
