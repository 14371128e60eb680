import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Pool } from 'pg';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import { DatabaseStartup, PG_POOL } from '@caravan/database';
import { RequestExecutor, executorSettings } from '@caravan/requests';
import { RatesCache } from './rates-cache';
import { type ReplayProgress, replayRejections } from './replay-rejections';

/**
 * Replays rejections asked for through the api or the CLI (admin_requests): the ingestor is the
 * one writer of the event store, and it has the rates. Progress (the last rejection done and how
 * many) commits with each chunk, so a replay taken over (after a crash, or interrupted by a
 * transient error such as a rejection locked too long) goes on where the chunks stopped; its
 * outcomes, recorded under the request, are read back when it is done.
 */
@Injectable()
export class ReplayRequests implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ReplayRequests');
  private readonly executor: RequestExecutor<'replay'>;

  constructor(
    @Inject(PG_POOL) pool: Pool,
    @Inject(CONFIG) config: CaravanConfig,
    private readonly startup: DatabaseStartup,
    private readonly rates: RatesCache,
  ) {
    this.executor = new RequestExecutor({
      kind: 'replay',
      pool,
      ...executorSettings(config, 'ingestor'),
      pollMs: 1_000,
      logger: this.logger,
      work: async (request, progress) => {
        // The rates as they are now: ops replay right after adding the one a rejection lacked.
        await this.rates.refresh();
        // Saved with each chunk: where the last claim stopped (none before its first chunk committed).
        const resume = request.result as ReplayProgress | null;
        const outcomes = await replayRejections(pool, request.arguments, this.rates.hasRate, {
          requestId: request.id,
          resume: resume?.after ? resume : undefined,
          onChunk: (client, now) => progress.save(client, now.count, now),
        });
        return { result: { outcomes }, progress: outcomes.length };
      },
    });
  }

  onApplicationBootstrap(): void {
    this.executor.startWhen(this.startup.ready());
  }

  onModuleDestroy(): Promise<void> {
    return this.executor.stop();
  }
}
