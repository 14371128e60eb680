import { Controller, Get, Inject, Logger, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { Pool } from 'pg';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import { PG_POOL } from '@caravan/database';
import { KafkaAdminLink, kafkaConnection } from '@caravan/kafka';
import { metricsText, refreshPipelineMetrics, registry, withDeadline } from '@caravan/observability';

/**
 * A scrape waits this long at most for the pipeline's figures, then answers with those it has
 * (scrape timeout: 10 s).
 */
export const PIPELINE_REFRESH_DEADLINE_MS = 5_000;

/**
 * Prometheus text at /metrics: process metrics, this process's histograms and loops, and (where
 * METRICS_PIPELINE, the api by default) the pipeline's counts and lags from PostgreSQL and Kafka.
 */
@Controller()
export class MetricsController {
  private readonly logger = new Logger('Metrics');
  private readonly kafka: KafkaAdminLink | undefined;
  /** The refresh under way: scrapes while PostgreSQL hangs wait on it rather than each holding a session. */
  private refreshing: Promise<void> | undefined;
  private failing = false;
  private kafkaFailing = false;

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
    this.refreshing ??= this.refreshOnce(kafka).finally(() => (this.refreshing = undefined));
    try {
      await withDeadline(this.refreshing, PIPELINE_REFRESH_DEADLINE_MS, 'PostgreSQL');
    } catch (error) {
      // Process metrics are still worth serving when PostgreSQL is away or slow (the figures keep
      // their values, caravan_pipeline_metrics_refreshed_timestamp_seconds its time); said once per spell.
      if (!this.failing) this.logger.warn(`pipeline metrics not refreshed: ${(error as Error).message}`);
      this.failing = true;
    }
  }

  private async refreshOnce(kafka: KafkaAdminLink): Promise<void> {
    const t = this.config.topics;
    let kafkaError = 'Kafka does not answer';
    const status = await refreshPipelineMetrics(this.pool, {
      group: this.config.ingest.groupId,
      topics: [t.bookings, t.arrivals, t.media],
      admin: kafka.get(),
      onKafkaError: (error) => (kafkaError = error.message),
    });
    if (this.failing) this.logger.log('pipeline metrics refreshed again');
    this.failing = false;
    if (status.consumerLag === undefined) {
      if (!this.kafkaFailing) this.logger.warn(`consumer lag not refreshed (keeps its values): ${kafkaError}`);
      this.kafkaFailing = true;
    } else {
      if (this.kafkaFailing) this.logger.log('consumer lag refreshed again');
      this.kafkaFailing = false;
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.kafka?.close();
  }
}
