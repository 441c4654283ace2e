import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Logger, OnModuleDestroy } from '@nestjs/common';
import { createAdapter } from '@socket.io/postgres-adapter';
import type { Pool } from 'pg';
import { PG_POOL } from '../cluster/pg-pool.provider';
import { JwtService } from '@nestjs/jwt';
import { OnGatewayConnection, OnGatewayInit, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { Subscription } from 'rxjs';
import { AuthUser, JwtPayload } from '../auth/auth-user';
import { resolveAuthUser } from '../auth/jwt.strategy';
import { RealtimeEvents, tenantRoom, userRoom } from './realtime-events';

const ADMIN_ROLES = new Set(['superadmin', 'admin']);

/**
 * The live feed, shared by every app process through the PostgreSQL adapter. A client sends its JWT in the handshake (`auth.token`); the gateway refuses the
 * connection without a valid one and puts each client in its own tenant's rooms only.
 */
@WebSocketGateway({ cors: { origin: false }, maxHttpBufferSize: 64 * 1024 })
export class RealtimeGateway implements OnGatewayInit, OnGatewayConnection, OnModuleDestroy {
  private readonly logger = new Logger(RealtimeGateway.name);
  private readonly subscriptions = new Subscription();

  @WebSocketServer()
  server!: Server;

  constructor(
    private readonly jwt: JwtService,
    private readonly em: EntityManager,
    private readonly events: RealtimeEvents,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  afterInit(server: Server): void {
    // Events emitted by any app process reach the clients connected to every process.
    server.adapter(createAdapter(this.pool, { heartbeatInterval: 5_000, heartbeatTimeout: 10_000 }));

    server.use((socket, next) => {
      this.authenticate(socket)
        .then((user) => {
          socket.data.user = user;
          next();
        })
        .catch((error: Error) => next(error));
    });

    this.subscriptions.add(
      this.events.stream.subscribe(({ tenantId, event, payload, audience }) => {
        server.to(tenantRoom(tenantId, audience)).emit(event, payload);
      }),
    );
    // The adapter passes the disconnect on to the processes that hold the user's other connections.
    this.subscriptions.add(
      this.events.endings.subscribe(({ tenantId, userId, reason }) => {
        this.logger.log({ tenantId, userId, reason }, 'Ending the live connections of a user');
        server.in(userRoom(userId)).disconnectSockets(true);
      }),
    );
  }

  async handleConnection(socket: Socket): Promise<void> {
    const user = socket.data.user as AuthUser;
    await socket.join([tenantRoom(user.tenantId), userRoom(user.id)]);
    if (ADMIN_ROLES.has(user.role)) await socket.join(tenantRoom(user.tenantId, 'admins'));
    this.logger.debug({ userId: user.id, tenantId: user.tenantId, socketId: socket.id }, 'Realtime client connected');
  }

  onModuleDestroy(): void {
    this.subscriptions.unsubscribe();
  }

  private async authenticate(socket: Socket): Promise<AuthUser> {
    const token = socket.handshake.auth?.token;
    if (typeof token !== 'string' || token.length === 0) {
      throw new Error('UNAUTHORIZED: send a JWT from POST /api/auth/login as auth.token in the Socket.IO handshake');
    }

    let payload: JwtPayload;
    try {
      payload = await this.jwt.verifyAsync<JwtPayload>(token);
    } catch {
      throw new Error('UNAUTHORIZED: the token is invalid or expired; log in again');
    }

    const user = await resolveAuthUser(this.em.fork(), payload);
    if (!user) throw new Error('UNAUTHORIZED: this token was revoked (password change or deactivation) or its user is no longer active; log in again');
    return user;
  }
}
