import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { startServer } from './bootstrap';
import { resolveFromRoot } from './common/repo-paths';
import { ConfigValidationError } from './config/app-config';

async function main(): Promise<void> {
  // A .env file at the repository root fills in variables; the real environment takes precedence.
  const envFile = resolveFromRoot('.env');
  if (existsSync(envFile)) process.loadEnvFile(envFile);

  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    server.logger.info({ signal }, 'Shutting down: closing WhatsApp sockets without logging out');
    await server.close();
    server.logger.flush();
    process.exit(0);
  };
  process.on('SIGINT', (signal) => void stop(signal));
  process.on('SIGTERM', (signal) => void stop(signal));
}

// Keep the process alive on stray rejections from socket internals; log them instead.
process.on('unhandledRejection', (reason) => {
  process.stderr.write(`Unhandled promise rejection: ${reason instanceof Error ? reason.stack : String(reason)}\n`);
});

void main().catch((error: Error) => {
  process.stderr.write(`Charla failed to start: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
