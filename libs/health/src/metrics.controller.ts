import { Controller, Get, Inject, Logger, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { Admin } from 'kafkajs';
import type { Pool } from 'pg';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import { PG_POOL } from '@caravan/database';
import { createKafka } from '@caravan/kafka';
import { refreshPipelineMetrics, registry } from '@caravan/observability';

const KAFKA_TIMEOUT_MS = 3_000;

/** Prometheus text at /metrics: process metrics, this process's histograms, the pipeline's counts from PostgreSQL. */
@Controller()
export class MetricsController {
  private readonly logger = new Logger('Metrics');
  private admin: Admin | undefined;
  private failing = false;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CONFIG) private readonly config: CaravanConfig,
  ) {}

  @Get('metrics')
  async metrics(@Res() res: Response): Promise<void> {
    const t = this.config.topics;
    try {
      await refreshPipelineMetrics(this.pool, { group: this.config.ingest.groupId, topics: [t.bookings, t.arrivals, t.media], admin: await this.kafkaAdmin() });
      if (this.failing) this.logger.log('pipeline metrics refreshed again');
      this.failing = false;
    } catch (error) {
      // Process metrics are still worth serving when PostgreSQL or Kafka is away; said once per spell.
      if (!this.failing) this.logger.warn(`pipeline metrics not refreshed: ${(error as Error).message}`);
      this.failing = true;
    }
    res.status(200).type(registry.contentType).send(await registry.metrics());
  }

  private async kafkaAdmin(): Promise<Admin | undefined> {
    if (this.admin) return this.admin;
    const admin = createKafka({ brokers: this.config.kafka.brokers, clientId: `${this.config.kafka.clientId}-metrics`, retries: 0, quiet: true, connectionTimeout: KAFKA_TIMEOUT_MS }).admin();
    const connected = await Promise.race([admin.connect().then(() => true, () => false), new Promise<boolean>((r) => setTimeout(() => r(false), KAFKA_TIMEOUT_MS).unref())]);
    if (!connected) {
      await admin.disconnect().catch(() => undefined);
      return undefined;
    }
    this.admin = admin;
    admin.on(admin.events.DISCONNECT, () => {
      this.admin = undefined;
    });
    return admin;
  }

  async onModuleDestroy(): Promise<void> {
    await this.admin?.disconnect().catch(() => undefined);
  }
}
