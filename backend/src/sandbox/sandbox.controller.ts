import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '../auth/auth-user';
import { Roles } from '../auth/roles';
import { validationError } from '../common/app-error';
import { SandboxContactDto, SandboxFaultDto, SandboxMessageDto, SandboxPairingCodeDto, SandboxReadDto, SandboxScanDto } from './dto/sandbox.dto';
import { SandboxService } from './sandbox.service';

@ApiTags('sandbox')
@ApiBearerAuth()
@Controller('sandbox')
export class SandboxController {
  constructor(private readonly sandbox: SandboxService) {}

  @Roles('admin')
  @Post('scan')
  @HttpCode(200)
  scan(@CurrentUser() user: AuthUser, @Body() body: SandboxScanDto) {
    return this.sandbox.scan(user.tenantId, body);
  }

  @Roles('admin')
  @Post('pairing-code')
  @HttpCode(200)
  enterPairingCode(@CurrentUser() user: AuthUser, @Body() body: SandboxPairingCodeDto) {
    return this.sandbox.enterPairingCode(user.tenantId, body);
  }

  @Roles('admin')
  @Post('faults')
  @HttpCode(200)
  injectFault(@CurrentUser() user: AuthUser, @Body() body: SandboxFaultDto) {
    return this.sandbox.injectFault(user.tenantId, body);
  }

  @Post('contacts')
  createContact(@Body() body: SandboxContactDto) {
    return this.sandbox.createContact(body);
  }

  @Post('messages')
  sendMessage(@CurrentUser() user: AuthUser, @Body() body: SandboxMessageDto) {
    return this.sandbox.sendMessage(user.tenantId, body);
  }

  @Post('read')
  @HttpCode(200)
  markRead(@CurrentUser() user: AuthUser, @Body() body: SandboxReadDto) {
    return this.sandbox.markRead(user.tenantId, body);
  }

  @Get('inbox/:phoneNumber')
  inbox(@CurrentUser() user: AuthUser, @Param('phoneNumber') phoneNumber: string) {
    if (!/^\+[1-9]\d{6,14}$/.test(phoneNumber)) {
      throw validationError([{ field: 'phoneNumber', reason: 'must be an E.164 phone number such as +573000000002 (write + as %2B in URLs)' }]);
    }
    return this.sandbox.inbox(user.tenantId, phoneNumber);
  }
}
