import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Client, Pool } from 'pg';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import { createClient, PG_POOL } from '@caravan/database';
import { tableNames } from './projection';
import { ProjectionRunner } from './projection-runner';
import { PROJECTIONS } from './read-models';

/** Runs every projection and wakes them on NOTIFY caravan_events. */
@Injectable()
export class ProjectorService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Projector');
  readonly runners: ProjectionRunner[];
  private listener: Client | undefined;

  constructor(
    @Inject(PG_POOL) pool: Pool,
    @Inject(CONFIG) private readonly config: CaravanConfig,
  ) {
    const options = { batchSize: config.projector.batchSize, timeZone: config.timeZone, idleMs: config.projector.idleMs, standbyMs: config.projector.standbyMs };
    this.runners = PROJECTIONS.map((p) => new ProjectionRunner(pool, p, tableNames(p), options, this.logger));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.listen().catch((e: Error) => this.logger.warn(`LISTEN failed, polling every ${this.config.projector.idleMs} ms: ${e.message}`));
    for (const runner of this.runners) runner.start();
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.stop()));
    await this.listener?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const listener = createClient({ connectionString: this.config.database.url, application_name: 'caravan-projector-listen' });
    listener.on('notification', () => this.runners.forEach((r) => r.wake()));
    await listener.connect();
    await listener.query('LISTEN caravan_events');
    this.listener = listener;
  }
}
