import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Pool } from 'pg';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import { PG_POOL } from '@caravan/database';

const HEARTBEAT_MS = 10_000;

/** Records this process in service_instances and refreshes it, so ops can list what runs. */
@Injectable()
export class InstanceRegistry implements OnApplicationBootstrap, OnModuleDestroy {
  readonly instanceId: string;
  private readonly logger = new Logger('InstanceRegistry');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CONFIG) private readonly config: CaravanConfig,
  ) {
    this.instanceId = `${config.app}-${randomUUID()}`;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.pool.query(
      `INSERT INTO service_instances (instance_id, app, host, pid) VALUES ($1, $2, $3, $4)`,
      [this.instanceId, this.config.app, hostname(), process.pid],
    );
    this.timer = setInterval(() => void this.heartbeat(), HEARTBEAT_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.pool.query('DELETE FROM service_instances WHERE instance_id = $1', [this.instanceId]).catch(() => undefined);
  }

  private async heartbeat(): Promise<void> {
    try {
      await this.pool.query('UPDATE service_instances SET last_seen_at = now() WHERE instance_id = $1', [this.instanceId]);
    } catch (error) {
      this.logger.warn(`heartbeat failed: ${(error as Error).message}`);
    }
  }
}
