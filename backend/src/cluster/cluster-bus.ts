import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { AppError } from '../common/app-error';
import { PG_POOL } from './pg-pool.provider';
import { SessionLeases } from './session-leases';

const COMMANDS = 'charla_session_commands';
const REPLIES = 'charla_session_replies';
const REPLY_TIMEOUT_MS = 15_000;
const RELISTEN_DELAY_MS = 1_000;

export interface SessionCommand {
  sessionId: string;
  name: string;
  args?: Record<string, unknown>;
}

interface CommandEnvelope extends SessionCommand {
  requestId: string;
  target: string;
  origin: string;
}

interface ReplyEnvelope {
  requestId: string;
  origin: string;
  ok: boolean;
  result?: unknown;
  error?: { statusCode: number; code: string; message: string };
}

export type CommandHandler = (command: SessionCommand) => Promise<unknown>;

/**
 * Carries session commands (connect, logout, …) to the process that owns the session, over
 * PostgreSQL LISTEN/NOTIFY, so any process can serve any request.
 */
@Injectable()
export class ClusterBus implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ClusterBus.name);
  private readonly pending = new Map<string, { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  private listener?: PoolClient;
  private handler?: CommandHandler;
  private stopping = false;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly leases: SessionLeases,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.listen();
  }

  private async listen(): Promise<void> {
    const listener = await this.pool.connect();
    // The pool opens connections with no tenant scope, so each command enters its own tenant's scope.
    listener.on('notification', (message) => void this.onNotification(message.channel, message.payload ?? ''));
    listener.on('error', (error) => {
      this.logger.error({ reason: error.message }, 'The LISTEN connection failed; listening again');
      this.relisten(listener);
    });
    await listener.query(`listen ${COMMANDS}`);
    await listener.query(`listen ${REPLIES}`);
    this.listener = listener;
  }

  /** Replaces a failed LISTEN connection, retrying every second until the database answers again. */
  private relisten(failed: PoolClient): void {
    if (this.listener !== failed || this.stopping) return;
    this.listener = undefined;
    try {
      failed.release(true);
    } catch {
      // The pool released it already when the connection ended.
    }
    const retry = () => {
      if (this.stopping) return;
      this.listen()
        .then(() => this.logger.log('Listening for session commands again'))
        .catch(() => setTimeout(retry, RELISTEN_DELAY_MS).unref());
    };
    setTimeout(retry, RELISTEN_DELAY_MS).unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    for (const [requestId, entry] of this.pending) {
      clearTimeout(entry.timer);
      entry.reject(new Error('The app is shutting down'));
      this.pending.delete(requestId);
    }
    if (!this.listener) return;
    await this.listener.query('unlisten *').catch(() => undefined);
    this.listener.release();
    this.listener = undefined;
  }

  handle(handler: CommandHandler): void {
    this.handler = handler;
  }

  /** Runs a command on the owner process `target` and resolves with its result. */
  async send(target: string, command: SessionCommand): Promise<unknown> {
    const envelope: CommandEnvelope = { ...command, requestId: randomUUID(), target, origin: this.leases.instanceId };
    const reply = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelope.requestId);
        reject(AppError.conflict('SESSION_OWNER_UNAVAILABLE', `The app process that runs session ${command.sessionId} did not respond. Try again in a few seconds.`));
      }, REPLY_TIMEOUT_MS);
      this.pending.set(envelope.requestId, { resolve, reject, timer });
    });
    await this.notify(COMMANDS, envelope);
    return reply;
  }

  /** Fire-and-forget notice to the owner, such as "the outbox has new messages". */
  async notifyOwner(target: string, command: SessionCommand): Promise<void> {
    await this.notify(COMMANDS, { ...command, requestId: '', target, origin: this.leases.instanceId });
  }

  private async onNotification(channel: string, payload: string): Promise<void> {
    let message: CommandEnvelope | ReplyEnvelope;
    try {
      message = JSON.parse(payload);
    } catch {
      return;
    }

    if (channel === REPLIES) {
      const reply = message as ReplyEnvelope;
      if (reply.origin !== this.leases.instanceId) return;
      const entry = this.pending.get(reply.requestId);
      if (!entry) return;
      clearTimeout(entry.timer);
      this.pending.delete(reply.requestId);
      if (reply.ok) entry.resolve(reply.result);
      else entry.reject(new AppError(reply.error!.statusCode, reply.error!.code, reply.error!.message));
      return;
    }

    const command = message as CommandEnvelope;
    if (command.target !== this.leases.instanceId || !this.handler) return;
    try {
      const result = await this.handler(command);
      if (command.requestId) await this.notify(REPLIES, { requestId: command.requestId, origin: command.origin, ok: true, result });
    } catch (error) {
      const appError = error instanceof AppError ? error : undefined;
      if (!appError) this.logger.error({ sessionId: command.sessionId, command: command.name, reason: (error as Error).message }, 'A session command failed');
      if (command.requestId) {
        await this.notify(REPLIES, {
          requestId: command.requestId,
          origin: command.origin,
          ok: false,
          error: appError
            ? { statusCode: appError.getStatus(), code: appError.code, message: appError.message }
            : { statusCode: 500, code: 'INTERNAL_ERROR', message: 'The session command failed; check the server logs.' },
        });
      }
    }
  }

  private async notify(channel: string, payload: object): Promise<void> {
    await this.pool.query('select pg_notify($1, $2)', [channel, JSON.stringify(payload)]);
  }
}
