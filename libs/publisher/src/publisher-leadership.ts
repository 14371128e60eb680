import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import type { Pool, PoolClient } from 'pg';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import { DatabaseStartup, PG_POOL, releaseSessionLock, takeSessionLock } from '@caravan/database';
import { ensureTopics, explainKafkaError, KAFKA } from '@caravan/kafka';
import {
  BackgroundLoop,
  publisherLeading,
  readinessChecks,
  snapshotRunPublished,
  snapshotSumsDrift,
  snapshotRunSeconds,
} from '@caravan/observability';
import { createSnapshotProducer, pruneSnapshotHistory, SnapshotPublisher } from './snapshot-publisher';

/** The advisory lock whose holder is the one publisher that publishes (per database). */
export const PUBLISHER_LOCK = 'caravan:publisher';

/** How often the leader prunes the snapshot history. */
const PRUNE_EVERY_MS = 10 * 60_000;

export type PublisherRole = 'starting' | 'leading' | 'standing-by';

/**
 * Publishes changed KPI snapshots at most every SNAPSHOT_INTERVAL_MS, while it leads: one
 * publisher at a time holds PUBLISHER_LOCK (a rolling deploy, a second instance: the others stand
 * by and take over when its session ends, as the projectors do). PostgreSQL or Kafka away, at start
 * or later, is waited out with backoff, logged once per spell.
 */
@Injectable()
export class PublisherLeadership implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Publisher');
  private readonly producer: Producer;
  private readonly publisher: SnapshotPublisher;
  /** Runs every SNAPSHOT_INTERVAL_MS (or as a stand-by, a backoff says); woken when the leader's session is lost. */
  private readonly loop = new BackgroundLoop({ run: () => this.runOnce() });
  private leader: PoolClient | undefined;
  private kafkaReady = false;
  private failingSince: number | undefined;
  private prunedAt = 0;
  private pinger: NodeJS.Timeout | undefined;
  /** The leader's session failed a ping: the lock went with it. */
  private leaderLost = false;
  role: PublisherRole = 'starting';

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(CONFIG) private readonly config: CaravanConfig,
    private readonly startup: DatabaseStartup,
  ) {
    this.producer = createSnapshotProducer(kafka, config.topics.snapshots, config.kafka.compression);
    this.publisher = new SnapshotPublisher(pool, this.producer, config.topics.snapshots, config.timeZone);
  }

  onApplicationBootstrap(): void {
    publisherLeading.set(0);
    // Leading or standing by, the publisher does its job; starting, it does not yet.
    readinessChecks.register('publisher', async () => {
      if (this.role === 'starting') throw new Error(this.failingSince ? 'waiting for PostgreSQL or Kafka' : 'starting');
      return this.role === 'leading' ? 'leading' : 'standing by (another publisher leads)';
    });
    // Once PostgreSQL is ready and the schema current.
    void this.startup
      .ready()
      .catch(() => undefined)
      .then(() => this.loop.start());
  }

  async onModuleDestroy(): Promise<void> {
    const stopped = this.loop.stop();
    readinessChecks.unregister('publisher');
    // A run still waiting for PostgreSQL is not waited for long: nothing of it needs finishing.
    const finished = await Promise.race([
      stopped.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5_000).unref()),
    ]);
    // A run still using the leader's session: the session is closed under it (its lock goes with
    // it, its transaction is rolled back), never handed back to the pool while in use.
    await this.resign(finished ? undefined : new Error('the publisher stopped while a run used the session'));
    await this.producer.disconnect().catch(() => undefined);
  }

  /** One run; resolves the wait until the next, counted from its start. */
  private async runOnce(): Promise<number> {
    try {
      if (!(await this.lead())) {
        this.recovered();
        return this.config.projector.standbyMs;
      }
      await this.connectKafka();
      const result = await this.publisher.publishChanges(this.leader);
      const { compute, kafka, store } = result.phases;
      snapshotRunSeconds.observe({ phase: 'compute' }, compute / 1000);
      snapshotRunPublished.observe(result.published);
      if (result.sums.drift.length > 0) {
        snapshotSumsDrift.inc();
        this.logger.error(
          `the day sums kept between runs differed from the daily tables on ${result.sums.drift.length} values ` +
            `(the tables' were published; the sums are read again): ${result.sums.drift.slice(0, 5).join('; ')}`,
        );
      }
      if (result.published > 0) {
        snapshotRunSeconds.observe({ phase: 'kafka' }, kafka / 1000);
        snapshotRunSeconds.observe({ phase: 'store' }, store / 1000);
        this.logger.log(
          `published ${result.published} of ${result.computed} snapshots at position ${result.position} ` +
            `(compute ${Math.round(compute)} ms over ${result.sums.daysRead} days read, Kafka ${Math.round(kafka)} ms, ` +
            `store ${Math.round(store)} ms)`,
        );
      }
      await this.pruneHistory();
      this.recovered();
      return this.config.publisher.intervalMs;
    } catch (error) {
      // Once per spell of failures: PostgreSQL or Kafka away for minutes is one line.
      if (this.failingSince === undefined)
        this.logger.warn(`snapshot run failed: ${explainKafkaError(error, this.config.kafka)}; retrying with backoff`);
      this.failingSince ??= Date.now();
      if (!(await this.stillLeading())) await this.resign();
      // The producer starts afresh (Kafka back, or fenced by another leader's producer).
      this.kafkaReady = false;
      await this.producer.disconnect().catch(() => undefined);
      return Math.min(30_000, Math.max(this.config.publisher.intervalMs, 2 * (Date.now() - this.failingSince)));
    }
  }

  /** Leads already, or takes the lock when free; false while another publisher leads. */
  private async lead(): Promise<boolean> {
    // Still the leader's session? The pinger says when it is gone (ended by PostgreSQL, or by
    // DATABASE_IDLE_TIMEOUT_MS after a freeze); the run then resigns and stands by behind whoever
    // took the lock. The publish itself checks the session again just before it sends.
    if (this.leader && this.leaderLost) await this.resign();
    if (this.leader) return true;
    // A leader frozen between runs loses its session, so its lock, after DATABASE_IDLE_TIMEOUT_MS.
    const client = await takeSessionLock(this.pool, PUBLISHER_LOCK);
    if (!client) {
      if (this.role !== 'standing-by') this.logger.log('another publisher leads: standing by');
      this.role = 'standing-by';
      return false;
    }
    this.leader = client;
    this.leaderLost = false;
    // A live leader's session is never idle long, whatever SNAPSHOT_INTERVAL_MS says (a frozen one's
    // is), and a session PostgreSQL ended is noticed between runs.
    const idleMs = this.config.database.limits.idleTimeoutMs;
    const every = idleMs > 0 ? Math.max(200, Math.floor(idleMs / 3)) : 10_000;
    this.pinger = setInterval(() => {
      if (client !== this.leader || this.leaderLost) return;
      client.query('SELECT 1').catch(() => {
        this.leaderLost = true;
        this.loop.wake();
      });
    }, every);
    // What another leader published meanwhile is read again.
    this.publisher.reset();
    this.role = 'leading';
    publisherLeading.set(1);
    this.logger.log('leading: publishing snapshots');
    return true;
  }

  private async stillLeading(): Promise<boolean> {
    if (!this.leader) return false;
    try {
      await this.leader.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  /** Lets the lock go (the session too, when it is broken, or when `abandon` says a run still uses it). */
  private async resign(abandon?: Error): Promise<void> {
    const client = this.leader;
    if (!client) return;
    this.leader = undefined;
    clearInterval(this.pinger);
    this.role = this.loop.stopping ? this.role : 'starting';
    publisherLeading.set(0);
    if (abandon) client.release(abandon);
    else await releaseSessionLock(client, PUBLISHER_LOCK);
  }

  /** The snapshot topic there and the transactional producer connected (which fences off any previous leader's). */
  private async connectKafka(): Promise<void> {
    if (this.kafkaReady) return;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [
        {
          topic: this.config.topics.snapshots,
          numPartitions: this.config.kafka.topicPartitions,
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ]);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await this.producer.connect();
    this.kafkaReady = true;
  }

  /**
   * The history older than SNAPSHOT_RETENTION_DAYS, a chunk at a time, at most every
   * PRUNE_EVERY_MS; a key's latest row stays.
   */
  private async pruneHistory(): Promise<void> {
    const days = this.config.publisher.retentionDays;
    if (days <= 0 || !this.leader || Date.now() - this.prunedAt < PRUNE_EVERY_MS) return;
    this.prunedAt = Date.now();
    const pruned = await pruneSnapshotHistory(this.leader, days * 86_400, () => this.loop.stopping);
    if (pruned > 0) this.logger.log(`pruned ${pruned} snapshots older than ${days} days from the history`);
  }

  private recovered(): void {
    if (this.failingSince !== undefined)
      this.logger.log(
        `snapshot runs succeed again (failed for ${Math.round((Date.now() - this.failingSince) / 1000)} s)`,
      );
    this.failingSince = undefined;
  }
}
