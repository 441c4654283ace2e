import { Body, Controller, Get, Patch, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '../auth/auth-user';
import { Roles } from '../auth/roles';
import { UpdateSettingsDto } from './settings.dto';
import { SettingsService, SettingsView } from './settings.service';

@ApiTags('settings')
@ApiBearerAuth()
@Roles('admin')
@Controller('settings')
export class SettingsController {
  constructor(private readonly settings: SettingsService) {}

  @Get()
  get(@CurrentUser() user: AuthUser): Promise<SettingsView> {
    return this.settings.get(user.tenantId);
  }

  @Patch()
  update(@CurrentUser() user: AuthUser, @Body() body: UpdateSettingsDto): Promise<SettingsView> {
    return this.settings.update(user.tenantId, body);
  }

  @Put()
  replace(@CurrentUser() user: AuthUser, @Body() body: UpdateSettingsDto): Promise<SettingsView> {
    return this.settings.update(user.tenantId, body);
  }
}
