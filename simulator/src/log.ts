export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFn = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

export const silentLog: LogFn = () => undefined;

/**
 * A pino-compatible logger for the Baileys helpers the simulator reuses (signal repositories,
 * transaction layer). Only warnings and errors are forwarded; Baileys' trace/debug chatter is dropped.
 */
export interface PinoLike {
  level: string;
  child(obj: Record<string, unknown>): PinoLike;
  trace(obj: unknown, msg?: string): void;
  debug(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

export function pinoAdapter(log: LogFn, scope: string): PinoLike {
  const forward = (level: LogLevel) => (obj: unknown, msg?: string) => {
    const message = typeof obj === 'string' ? obj : (msg ?? '');
    const fields = typeof obj === 'object' && obj !== null ? { scope, detail: String((obj as { err?: unknown }).err ?? '') } : { scope };
    log(level, message, fields);
  };
  const noop = () => undefined;
  const logger: PinoLike = {
    level: 'warn',
    child: () => logger,
    trace: noop,
    debug: noop,
    info: noop,
    warn: forward('warn'),
    error: forward('error'),
  };
  return logger;
}
