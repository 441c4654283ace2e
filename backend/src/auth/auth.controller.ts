import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from './auth-user';
import { AuthService, LoginResult } from './auth.service';
import { LoginDto } from './dto/login.dto';
import { RefreshTokenDto } from './dto/refresh-token.dto';
import { ClientInfo } from './refresh-tokens.service';

function clientOf(request: Request): ClientInfo {
  return { ip: request.ip, userAgent: request.headers['user-agent'] };
}

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  login(@Body() body: LoginDto, @Req() request: Request): Promise<LoginResult> {
    return this.auth.login(body.email, body.password, clientOf(request));
  }

  /** Exchanges a refresh token for a new access token and refresh token; the old refresh token stops working. */
  @Public()
  @Post('refresh')
  @HttpCode(200)
  refresh(@Body() body: RefreshTokenDto, @Req() request: Request): Promise<LoginResult> {
    return this.auth.refresh(body.refreshToken, clientOf(request));
  }

  /** Revokes the refresh token and every token rotated from the same login. Access tokens run out on their own. */
  @Public()
  @Post('logout')
  @HttpCode(204)
  logout(@Body() body: RefreshTokenDto): Promise<void> {
    return this.auth.logout(body.refreshToken);
  }
}
