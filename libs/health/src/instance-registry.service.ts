import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Pool } from 'pg';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import { DatabaseStartup, PG_POOL } from '@caravan/database';

const HEARTBEAT_MS = 10_000;

/** Records this process in service_instances and refreshes it, so ops can list what runs. */
@Injectable()
export class InstanceRegistry implements OnApplicationBootstrap, OnModuleDestroy {
  readonly instanceId: string;
  private readonly logger = new Logger('InstanceRegistry');
  private timer: NodeJS.Timeout | undefined;
  private failing = false;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CONFIG) private readonly config: CaravanConfig,
    private readonly startup: DatabaseStartup,
  ) {
    this.instanceId = `${config.app}-${randomUUID()}`;
  }

  /** Registers once PostgreSQL is ready, without holding up the app's start. */
  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.heartbeat(), HEARTBEAT_MS);
    this.timer.unref();
    this.startup.ready().then(
      () => this.heartbeat(),
      () => undefined,
    );
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.pool
      .query('DELETE FROM service_instances WHERE instance_id = $1', [this.instanceId])
      .catch(() => undefined);
  }

  /** Registers or refreshes this instance (again after PostgreSQL lost it, or was away); logs once per failure spell. */
  private async heartbeat(): Promise<void> {
    if (this.startup.waitingFor !== undefined) return;
    try {
      await this.pool.query(
        `INSERT INTO service_instances (instance_id, app, host, pid) VALUES ($1, $2, $3, $4)
         ON CONFLICT (instance_id) DO UPDATE SET last_seen_at = now()`,
        [this.instanceId, this.config.app, hostname(), process.pid],
      );
      if (this.failing) this.logger.log('heartbeat recorded again');
      this.failing = false;
    } catch (error) {
      if (!this.failing)
        this.logger.warn(`heartbeat failed: ${(error as Error).message}; retried every ${HEARTBEAT_MS / 1000} s`);
      this.failing = true;
    }
  }
}
