import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet, { HelmetOptions } from 'helmet';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { join } from 'node:path';
import type { DestinationStream, Logger } from 'pino';
import { AppModule } from './app.module';
import { InboundMessageHandler } from './messages/inbound-message.handler';
import { OutboxService } from './messages/outbox.service';
import { ConnectionManager } from './whatsapp-sessions/connection-manager.service';
import { bodyParserErrorHandler } from './common/body-parser-errors';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { installLibsignalConsoleFilter } from './common/libsignal-console';
import { createRootLogger } from './common/logger';
import { createValidationPipe } from './common/validation';
import { AppConfig, loadConfig } from './config/app-config';
import { withDevelopmentSecrets } from './config/dev-secrets';
import { EmbeddedDatabase, ensureDatabase, startEmbeddedPostgres } from './database/embedded-postgres';

export interface RunningServer {
  app: INestApplication;
  config: AppConfig;
  logger: Logger;
  url: string;
  close(): Promise<void>;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  /** Where log lines go; tests capture them here. */
  logDestination?: DestinationStream;
}

const EMBEDDED_DATABASE = 'charla';
// Baileys flushes buffered events shortly after a socket ends.
const BAILEYS_FLUSH_MS = 200;

/** Loads the configuration, starts embedded PostgreSQL when no DATABASE_URL is set, and serves the app. */
export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  installLibsignalConsoleFilter();
  const config = withDevelopmentSecrets(loadConfig(options.env ?? process.env));
  const logger = createRootLogger(config, options.logDestination);

  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.database.url;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({
      dataDir: join(config.paths.dataDir, 'postgres'),
      port: config.database.embeddedPort,
      log: (message) => logger.info(message),
    });
    await ensureDatabase(embedded.adminUrl, EMBEDDED_DATABASE);
    databaseUrl = embedded.urlFor(EMBEDDED_DATABASE);
    logger.info({ port: config.database.embeddedPort }, 'Embedded PostgreSQL is running');
  }

  let app: INestApplication | undefined;
  try {
    app = await createApplication(config, logger, databaseUrl);
    await app.listen(config.http.port, config.http.host);
    const address = app.getHttpServer().address() as { port: number };
    const url = `http://127.0.0.1:${address.port}`;
    logger.info({ url, mode: config.whatsapp.mode }, 'Charla is listening');

    return {
      app,
      config,
      logger,
      url,
      close: async () => {
        await shutDownGracefully(app!);
        await app!.close();
        await embedded?.stop();
      },
    };
  } catch (error) {
    await app?.close().catch(() => undefined);
    await embedded?.stop();
    throw error;
  }
}

/**
 * Stops in the order that loses nothing: queued sends already handed over finish, sockets close
 * without logging out, and every message WhatsApp delivered is stored before the database closes.
 */
async function shutDownGracefully(app: INestApplication): Promise<void> {
  await app.get(OutboxService).stop();
  await app.get(ConnectionManager).closeAll();
  await new Promise((resolve) => setTimeout(resolve, BAILEYS_FLUSH_MS));
  await app.get(InboundMessageHandler).idle();
}

export async function createApplication(config: AppConfig, logger: Logger, databaseUrl: string): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot({ config, logger, databaseUrl }), {
    bufferLogs: true,
    cors: config.http.corsOrigins.length > 0 ? { origin: config.http.corsOrigins, exposedHeaders: ['Content-Range'] } : false,
    bodyParser: true,
  });
  app.useLogger(app.get(PinoNestLogger));
  app.set('trust proxy', config.limits.trustProxy);
  app.use(helmet(helmetOptions()));
  app.setGlobalPrefix('api', { exclude: ['/'] });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpExceptionFilter());
  app.useBodyParser('json', { limit: config.limits.bodyLimit });
  app.useBodyParser('urlencoded', { limit: config.limits.bodyLimit, extended: true });
  app.use(bodyParserErrorHandler(config.limits.bodyLimit));

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle('Charla API').setDescription('Multi-tenant WhatsApp platform').setVersion('0.1.0').addBearerAuth().addApiKey({ type: 'apiKey', in: 'header', name: 'X-Api-Key' }).build(),
  );
  SwaggerModule.setup('api/docs', app, document);

  return app;
}

/**
 * Security headers. The panel at /dashboard and the API docs load their scripts from this origin;
 * MUI injects style elements and the QR codes are data: images, so styles allow inline and images allow
 * data: and blob:. Socket.IO connects back to this origin.
 */
export function helmetOptions(): HelmetOptions {
  return {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        mediaSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        // Charla is often reached over plain HTTP on a local network, where upgrading would break every asset.
        upgradeInsecureRequests: null,
      },
    },
    // Browsers ignore HSTS over plain HTTP and honour it behind an HTTPS proxy. Subdomains are left out,
    // because other services of the same domain may still use HTTP.
    strictTransportSecurity: { maxAge: 15_552_000, includeSubDomains: false },
  };
}
