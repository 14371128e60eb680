import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Pool } from 'pg';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import { DatabaseStartup, PG_POOL } from '@caravan/database';
import { RequestExecutor, type RequestWork, executorSettings } from '@caravan/requests';
import { PROJECTIONS } from './read-models';
import { rebuildProjection } from './rebuild';

/**
 * Rebuilds projections asked for through the api or the CLI (admin_requests): the projector is
 * the one writer of the live projection tables. Progress is the events replayed; the report is
 * the result. A rebuild taken over after a crash starts again (its shadow tables are dropped first).
 */
@Injectable()
export class RebuildRequests implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('RebuildRequests');
  private readonly executor: RequestExecutor<'rebuild'>;

  constructor(
    @Inject(PG_POOL) pool: Pool,
    @Inject(CONFIG) config: CaravanConfig,
    private readonly startup: DatabaseStartup,
  ) {
    this.executor = new RequestExecutor({
      kind: 'rebuild',
      pool,
      ...executorSettings(config, 'projector'),
      pollMs: config.projector.standbyMs,
      logger: this.logger,
      work: rebuildRequestWork(pool, {
        timeZone: config.timeZone,
        batchSize: config.projector.batchSize,
        log: (line) => this.logger.log(line),
      }),
    });
  }

  onApplicationBootstrap(): void {
    this.executor.startWhen(this.startup.ready());
  }

  onModuleDestroy(): Promise<void> {
    return this.executor.stop();
  }
}

/** A rebuild request's work: the projection rebuilt as asked, its progress the events replayed, its report the result. */
export function rebuildRequestWork(
  pool: Pool,
  options: { timeZone: string; batchSize: number; log: (line: string) => void },
): RequestWork<'rebuild'> {
  return async (request, progress, signal) => {
    const projection = PROJECTIONS.find((p) => p.name === request.arguments.projection);
    if (!projection) throw new Error(`no projection ${request.arguments.projection}`);
    const report = await rebuildProjection(pool, projection, {
      ...options,
      swap: request.arguments.swap,
      onProgress: (n) => progress.report(n),
      signal,
      // Its swap commits only while this claim is current: a superseded one's rolls back.
      beforeCommit: (client, n) => progress.save(client, n),
    });
    return { result: report, progress: report.eventsReplayed };
  };
}
