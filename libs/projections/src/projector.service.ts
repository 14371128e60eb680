import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Pool } from 'pg';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import { DatabaseStartup, PG_POOL, PgListener, sessionSettings } from '@caravan/database';
import { listenConnected } from '@caravan/observability';
import { tableNames } from './projection';
import { ProjectionRunner } from './projection-runner';
import { PROJECTIONS } from './read-models';

/** Runs every projection and wakes them on NOTIFY caravan_events. */
@Injectable()
export class ProjectorService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Projector');
  readonly runners: ProjectionRunner[];
  private readonly listener: PgListener;
  private stopped = false;

  constructor(
    @Inject(PG_POOL) pool: Pool,
    @Inject(CONFIG) config: CaravanConfig,
    private readonly startup: DatabaseStartup,
  ) {
    const options = {
      batchSize: config.projector.batchSize,
      timeZone: config.timeZone,
      idleMs: config.projector.idleMs,
      standbyMs: config.projector.standbyMs,
    };
    this.runners = PROJECTIONS.map((p) => new ProjectionRunner(pool, p, tableNames(p), options, this.logger));
    // Woken on NOTIFY caravan_events; polling every PROJECTOR_IDLE_MS while the connection is down.
    this.listener = new PgListener({
      connection: {
        connectionString: config.database.url,
        application_name: 'caravan-projector-listen',
        ...sessionSettings(config.database.limits),
      },
      channels: ['caravan_events'],
      onNotify: () => this.runners.forEach((r) => r.wake()),
      onState: (up) => listenConnected.set({ channel: 'caravan_events' }, up ? 1 : 0),
      logger: this.logger,
    });
  }

  onApplicationBootstrap(): void {
    listenConnected.set({ channel: 'caravan_events' }, 0);
    this.listener.start();
    // Once PostgreSQL is ready and the schema current; the app answers its probes meanwhile.
    this.startup.ready().then(
      () => {
        if (!this.stopped) for (const runner of this.runners) runner.start();
      },
      () => undefined,
    );
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.runners.map((r) => r.stop()));
    await this.listener.stop();
  }
}
