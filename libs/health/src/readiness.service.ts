import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import { PROJECTION_NAMES } from '@caravan/contract';
import { currentSchemaVersion, PG_POOL, readMigrations } from '@caravan/database';
import { projectionProgress } from '@caravan/event-store';
import { kafkaConnection, probeBrokers } from '@caravan/kafka';
import { readinessChecks } from '@caravan/observability';

export type CheckResult = { status: 'up' | 'down'; detail?: string };

const CHECK_TIMEOUT_MS = 3_000;

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
   * projections' lag is information, never a failure (a large import is work, not an outage).
   */
  checks(): Array<[string, () => Promise<string | void>]> {
    const needsKafka = this.config.app === 'ingestor' || this.config.app === 'publisher';
    return [
      ['database', () => this.pool.query('SELECT 1').then(() => undefined)],
      ['migrations', () => this.checkMigrations()],
      ...(needsKafka ? ([['kafka', () => this.checkKafka()]] as Array<[string, () => Promise<string>]>) : []),
      ['projections', () => this.describeProjectionLag()],
      ...(this.config.app === 'api'
        ? ([['snapshots', () => this.describeSnapshotAge()]] as Array<[string, () => Promise<string>]>)
        : []),
      ...readinessChecks.all(),
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

  /** Runs one check with a time limit; never throws. */
  async run(check: () => Promise<string | void>): Promise<CheckResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
    });
    try {
      const detail = await Promise.race([check(), timeout]);
      return detail ? { status: 'up', detail } : { status: 'up' };
    } catch (error) {
      return { status: 'down', detail: (error as Error).message };
    } finally {
      clearTimeout(timer);
    }
  }
}
