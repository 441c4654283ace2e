import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { ClusterBus } from './cluster-bus';
import { PG_POOL } from './pg-pool.provider';
import { SessionLeases } from './session-leases';

@Injectable()
class PgPoolCloser implements OnApplicationShutdown {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}

/** Coordination between app processes that share one database: ownership leases and commands. */
@Global()
@Module({
  providers: [SessionLeases, ClusterBus, PgPoolCloser],
  exports: [SessionLeases, ClusterBus],
})
export class ClusterModule {}
