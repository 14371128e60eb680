import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import { PROJECTION_NAMES } from '@caravan/contract';
import { currentSchemaVersion, PG_POOL, readMigrations, withTransaction } from '@caravan/database';
import { BACKLOG_CAP, projectionBacklog } from '@caravan/event-store';
import { kafkaConnection, probeBrokers } from '@caravan/kafka';
import { readinessChecks } from '@caravan/observability';
import { CHECK_TIMEOUT_MS, type ReadinessEntry } from './run-check';

/**
 * The server gives up a readiness query before the check's deadline: the deadline only stops the
 * wait, and every pod asks every few seconds, so a slow PostgreSQL would pile them up.
 */
const STATEMENT_TIMEOUT_MS = CHECK_TIMEOUT_MS - 500;

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
   * projections' lag and the snapshots' age are told, never a failure (a large import is work, not
   * an outage), by cheap queries: one that fails or times out says PostgreSQL cannot serve.
   */
  checks(): ReadinessEntry[] {
    const needsKafka = this.config.app === 'ingestor' || this.config.app === 'publisher';
    return [
      { name: 'database', check: () => this.pool.query('SELECT 1').then(() => undefined) },
      { name: 'migrations', check: () => this.checkMigrations() },
      ...(needsKafka ? [{ name: 'kafka', check: () => this.checkKafka() }] : []),
      { name: 'projections', check: () => this.describeProjectionLag() },
      ...(this.config.app === 'api' ? [{ name: 'snapshots', check: () => this.describeSnapshotAge() }] : []),
      ...readinessChecks.all().map(([name, check]) => ({ name, check })),
    ];
  }

  /** `read` in a transaction whose statements PostgreSQL cancels within STATEMENT_TIMEOUT_MS. */
  private bounded<T>(read: (client: PoolClient) => Promise<T>): Promise<T> {
    return withTransaction(this.pool, async (client) => {
      await client.query(`SET LOCAL statement_timeout = ${STATEMENT_TIMEOUT_MS}`);
      return read(client);
    });
  }

  private async checkMigrations(): Promise<string> {
    const version = await currentSchemaVersion(this.pool);
    if (version < this.expectedSchemaVersion) {
      throw new Error(`schema at version ${version}, this build needs ${this.expectedSchemaVersion}`);
    }
    return `version ${version}`;
  }

  /** The most events any projection has yet to apply (a lag is information: it never fails readiness). */
  private async describeProjectionLag(): Promise<string> {
    const backlog = await this.bounded((client) => projectionBacklog(client, PROJECTION_NAMES));
    // The first of the most behind, in the order of the names.
    const worst = backlog.reduce<(typeof backlog)[number] | undefined>(
      (w, p) => (!w || p.events > w.events ? p : w),
      undefined,
    );
    if (!worst || worst.events === 0) return 'caught up';
    return `${worst.name} has ${worst.capped ? `more than ${BACKLOG_CAP}` : worst.events} events to apply`;
  }

  /** How fresh the latest snapshot is (information: the api serves what there is). */
  private async describeSnapshotAge(): Promise<string> {
    const { rows } = await this.bounded((client) =>
      client.query<{ age: string | null; position: string | null }>(
        `SELECT extract(epoch FROM now() - max(computed_at))::int::text AS age, max(position)::text AS position
         FROM kpi_latest`,
      ),
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
