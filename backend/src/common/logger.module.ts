import { DynamicModule, Global, Module, RequestMethod } from '@nestjs/common';
import { LoggerModule as PinoLoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';

export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/** Wires the app's one pino logger into Nest, into HTTP request logs and, as `ROOT_LOGGER`, into Baileys. */
@Global()
@Module({})
export class LoggerModule {
  static forRoot(logger: Logger): DynamicModule {
    return {
      module: LoggerModule,
      imports: [
        PinoLoggerModule.forRoot({
          // Nest 11 path syntax; the default "*" logs a legacy-route warning at every start.
          forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
          pinoHttp: {
            logger,
            autoLogging: { ignore: (request) => request.url === '/api/health' },
            customLogLevel: (_request, response, error) => {
              if (error || response.statusCode >= 500) return 'error';
              return response.statusCode >= 400 ? 'warn' : 'info';
            },
            serializers: {
              req: (request: { id: unknown; method: string; url: string }) => ({ id: request.id, method: request.method, url: request.url.split('?')[0] }),
              res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
            },
          },
        }),
      ],
      providers: [{ provide: ROOT_LOGGER, useValue: logger }],
      exports: [ROOT_LOGGER],
    };
  }
}
