import pino, { DestinationStream, Logger } from 'pino';
import type { AppConfig } from '../config/app-config';

/** Fields that may carry credentials; pino replaces them before a line is written. */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'password',
  '*.password',
  'accessToken',
  '*.accessToken',
  'token',
  '*.token',
  'refreshToken',
  '*.refreshToken',
  'creds',
  '*.creds',
  'keys',
  '*.keys',
];

/** Builds the one pino logger of the app; tests pass a destination to capture the output. */
export function createRootLogger(config: Pick<AppConfig, 'logging'>, destination?: DestinationStream): Logger {
  return pino(
    {
      level: config.logging.level,
      base: { app: 'charla' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination ?? pino.destination({ fd: 1, sync: false }),
  );
}
