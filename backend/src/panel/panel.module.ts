import { Controller, Get, Module, Redirect } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ServeStaticModule } from '@nestjs/serve-static';
import { Public } from '../auth/auth-user';
import { resolveFromRoot } from '../common/repo-paths';

export const PANEL_PATH = '/dashboard';

@ApiExcludeController()
@Controller()
export class RootRedirectController {
  @Public()
  @Get()
  @Redirect(PANEL_PATH, 302)
  root(): void {}
}

/** Serves the built admin panel (`admin/dist`) at /dashboard, on the same origin as the API. */
@Module({
  imports: [
    ServeStaticModule.forRoot({
      rootPath: resolveFromRoot('admin/dist'),
      serveRoot: PANEL_PATH,
      exclude: ['/api/{*path}'],
    }),
  ],
  controllers: [RootRedirectController],
})
export class PanelModule {}
