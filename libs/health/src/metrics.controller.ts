import { Controller, Get, Inject, Logger, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { Pool } from 'pg';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import { PG_POOL } from '@caravan/database';
import { KafkaAdminLink, kafkaConnection } from '@caravan/kafka';
import { metricsText, refreshPipelineMetrics, registry } from '@caravan/observability';

/**
 * Prometheus text at /metrics: process metrics, this process's histograms and loops, and (where
 * METRICS_PIPELINE, the api by default) the pipeline's counts and lags from PostgreSQL and Kafka.
 */
@Controller()
export class MetricsController {
  private readonly logger = new Logger('Metrics');
  private readonly kafka: KafkaAdminLink | undefined;
  private failing = false;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CONFIG) private readonly config: CaravanConfig,
  ) {
    this.kafka = config.metrics.pipeline
      ? new KafkaAdminLink({ ...kafkaConnection(config.kafka), clientId: `${config.kafka.clientId}-metrics` })
      : undefined;
  }

  @Get('metrics')
  async metrics(@Res() res: Response): Promise<void> {
    if (this.kafka) await this.refresh(this.kafka);
    res
      .status(200)
      .type(registry.contentType)
      .send(await metricsText({ pipeline: this.kafka !== undefined }));
  }

  private async refresh(kafka: KafkaAdminLink): Promise<void> {
    const t = this.config.topics;
    try {
      await refreshPipelineMetrics(this.pool, {
        group: this.config.ingest.groupId,
        topics: [t.bookings, t.arrivals, t.media],
        admin: await kafka.get(),
      });
      if (this.failing) this.logger.log('pipeline metrics refreshed again');
      this.failing = false;
    } catch (error) {
      // Process metrics are still worth serving when PostgreSQL or Kafka is away; said once per spell.
      if (!this.failing) this.logger.warn(`pipeline metrics not refreshed: ${(error as Error).message}`);
      this.failing = true;
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.kafka?.close();
  }
}
