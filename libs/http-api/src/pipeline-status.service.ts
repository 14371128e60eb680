import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Pool } from 'pg';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import { KafkaAdminLink, kafkaConnection } from '@caravan/kafka';
import { type PipelineStatus, readPipelineStatus } from '@caravan/observability';
import { API_POOL } from './api-pool';

/** What GET /v1/pipeline answers: aggregates only (no record contents), for dashboards and ops. */
export type PipelineSummary = Omit<PipelineStatus, 'consumerLag'> & {
  /** When these figures were read (they are shared for up to STATUS_TTL_MS). */
  readAt: string;
  /** Records on the inbound topics not consumed yet, in all; null when Kafka did not answer. */
  consumerLag: number | null;
  totals: {
    consumed: number;
    accepted: number;
    duplicate: number;
    rejected: number;
    rejectedByCode: Record<string, number>;
  };
};

/** Every viewer of a dashboard asks every few seconds: one read serves them all for this long. */
const STATUS_TTL_MS = 2_000;

@Injectable()
export class PipelineStatusService implements OnModuleDestroy {
  private readonly kafka: KafkaAdminLink;
  private cached: { at: number; summary: Promise<PipelineSummary> } | undefined;

  constructor(
    @Inject(API_POOL) private readonly pool: Pool,
    @Inject(CONFIG) private readonly config: CaravanConfig,
  ) {
    this.kafka = new KafkaAdminLink({ ...kafkaConnection(config.kafka), clientId: `${config.kafka.clientId}-status` });
  }

  summary(): Promise<PipelineSummary> {
    if (this.cached && Date.now() - this.cached.at < STATUS_TTL_MS) return this.cached.summary;
    const summary = this.read();
    this.cached = { at: Date.now(), summary };
    // A failed read is not kept: the next request tries again.
    summary.catch(() => {
      if (this.cached?.summary === summary) this.cached = undefined;
    });
    return summary;
  }

  async onModuleDestroy(): Promise<void> {
    await this.kafka.close();
  }

  private async read(): Promise<PipelineSummary> {
    const t = this.config.topics;
    const status = await readPipelineStatus(this.pool, {
      group: this.config.ingest.groupId,
      topics: [t.bookings, t.arrivals, t.media],
      admin: await this.kafka.get(),
    });
    const rejectedByCode: Record<string, number> = {};
    for (const topic of status.topics)
      for (const [code, n] of Object.entries(topic.rejected)) rejectedByCode[code] = (rejectedByCode[code] ?? 0) + n;
    const sum = (f: (x: PipelineStatus['topics'][number]) => number) => status.topics.reduce((n, x) => n + f(x), 0);
    return {
      ...status,
      readAt: new Date().toISOString(),
      consumerLag: status.consumerLag ? status.consumerLag.reduce((n, l) => n + l.records, 0) : null,
      totals: {
        consumed: sum((x) => x.consumed),
        accepted: sum((x) => x.accepted),
        duplicate: sum((x) => x.duplicate),
        rejected: Object.values(rejectedByCode).reduce((a, b) => a + b, 0),
        rejectedByCode,
      },
    };
  }
}
