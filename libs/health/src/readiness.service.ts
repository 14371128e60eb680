import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import { PROJECTION_NAMES } from '@caravan/contract';
import { currentSchemaVersion, PG_POOL, readMigrations } from '@caravan/database';
import { projectionProgress } from '@caravan/event-store';
import { kafkaConnection, probeBrokers } from '@caravan/kafka';
import { readinessChecks } from '@caravan/observability';
import { CHECK_TIMEOUT_MS, type ReadinessEntry } from './run-check';

@Injectable()
export class ReadinessService {
  private readonly expectedSchemaVersion = readMigrations().length;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CONFIG) private readonly config: CaravanConfig,
  ) {}

  /**
   * The readiness checks by name, each resolving a detail or throwing why it is down: what the
   * app needs to do its job. Every app needs PostgreSQL and the schema; the ingestor and the
   * publisher need Kafka too (and add their own: a running consumer, leading or standing by); the
   * projections' lag and the snapshots' age are information, never a failure (a large import is
   * work, not an outage), even when they cannot be told in time.
   */
  checks(): ReadinessEntry[] {
    const needsKafka = this.config.app === 'ingestor' || this.config.app === 'publisher';
    return [
      { name: 'database', check: () => this.pool.query('SELECT 1').then(() => undefined) },
      { name: 'migrations', check: () => this.checkMigrations() },
      ...(needsKafka ? [{ name: 'kafka', check: () => this.checkKafka() }] : []),
      { name: 'projections', check: () => this.describeProjectionLag(), informational: true },
      ...(this.config.app === 'api'
        ? [{ name: 'snapshots', check: () => this.describeSnapshotAge(), informational: true }]
        : []),
      ...readinessChecks.all().map(([name, check]) => ({ name, check })),
    ];
  }

  private async checkMigrations(): Promise<string> {
    const version = await currentSchemaVersion(this.pool);
    if (version < this.expectedSchemaVersion) {
      throw new Error(`schema at version ${version}, this build needs ${this.expectedSchemaVersion}`);
    }
    return `version ${version}`;
  }

  /** The most events any projection has yet to apply (information: it never fails readiness). */
  private async describeProjectionLag(): Promise<string> {
    const progress = await projectionProgress(this.pool, PROJECTION_NAMES);
    // The first of the most behind (ties in the order of the names, as ORDER BY ... LIMIT 1 gave before).
    const worst = progress.reduce<(typeof progress)[number] | undefined>(
      (w, p) => (!w || p.lagEvents > w.lagEvents ? p : w),
      undefined,
    );
    return !worst || worst.lagEvents === 0 ? 'caught up' : `${worst.name} has ${worst.lagEvents} events to apply`;
  }

  /** How fresh the latest snapshot is (information: the api serves what there is). */
  private async describeSnapshotAge(): Promise<string> {
    const { rows } = await this.pool.query<{ age: string | null; position: string | null }>(
      `SELECT extract(epoch FROM now() - max(computed_at))::int::text AS age, max(position)::text AS position
       FROM kpi_latest`,
    );
    const row = rows[0];
    return row?.age == null ? 'no snapshot yet' : `latest computed ${row.age} s ago, at position ${row.position}`;
  }

  private async checkKafka(): Promise<string> {
    // A one-shot client without retries: the app's own client would retry for much longer.
    const probe = await probeBrokers(kafkaConnection(this.config.kafka), CHECK_TIMEOUT_MS - 1_000);
    if (!probe.ok) throw new Error(probe.error);
    return `${probe.brokers} broker(s) at ${this.config.kafka.brokers.join(',')}`;
  }
}
