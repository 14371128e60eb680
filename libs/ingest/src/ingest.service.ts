import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import { validateRecord } from '@caravan/contract';
import { DatabaseStartup, describePgError, PG_POOL } from '@caravan/database';
import type { AssignmentPlan, BatchDecision, ConsumerControl, PartitionBatch, TopicPartition } from '@caravan/kafka';
import {
  ingestBatchSeconds,
  ingestBatchSize,
  ingestFailures,
  ingestOffsetsSkipped,
  ingestSeeks,
  readinessChecks,
} from '@caravan/observability';
import { DeadLetterOutbox } from './dead-letter-outbox';
import { GroupCommit } from './group-commit';
import { InboundTopics } from './inbound-topics';
import type { BatchResult } from './ingest-batch';
import { OffsetWatch } from './offset-watch';
import { RatesCache } from './rates-cache';
import { INGEST_FAILURE_KINDS, type IngestFailure, ingestResilient } from './resilient-ingest';

/** At most this many records in one ingest transaction (the batches of several partitions together). */
const MAX_RECORDS_PER_TRANSACTION = 20_000;
const OFFSET_WATCH_MS = 5_000;
/** Ingest counts as unready once its transactions have failed for this long. */
const FAILING_UNREADY_MS = 30_000;
/** A failure that goes on is logged again at most this often. */
const FAILURE_LOG_MS = 30_000;

/**
 * The ingestor's decisions on each partition's batch (into the event store in group commits, or
 * back to the offset PostgreSQL expects, or paused), its start (PostgreSQL, rates, outbox, offset
 * watch, topics) and its readiness. The rates, the dead-letter outbox, the start offsets and the
 * topics are providers of their own.
 */
@Injectable()
export class IngestService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Ingest');
  private readonly groupCommit: GroupCommit;
  private readonly stopping = new AbortController();
  private prepared: Promise<void> | undefined;
  /** Partitions sent back to the offset PostgreSQL expects (see `gap`), by topic:partition: once only. */
  private readonly seekingBackTo = new Map<string, bigint>();
  /** Since when ingest transactions fail (retried), and why; undefined while they succeed. */
  private failing: { since: number; loggedAt: number; reason: string } | undefined;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CONFIG) private readonly config: CaravanConfig,
    private readonly startup: DatabaseStartup,
    private readonly rates: RatesCache,
    private readonly outbox: DeadLetterOutbox,
    private readonly offsets: OffsetWatch,
    private readonly topics: InboundTopics,
  ) {
    this.groupCommit = new GroupCommit(
      (inputs) =>
        ingestResilient(pool, inputs, {
          context: { hasRate: this.rates.hasRate },
          signal: this.stopping.signal,
          onFailure: (failure) => this.failed(failure),
          onUnstorable: (record, reason) =>
            this.logger.error(
              `${record.topic}[${record.partition}]@${record.offset}: the event store refused the record; ` +
                `rejected as unstorable: ${reason}`,
            ),
        }).then((results) => {
          this.recovered();
          return results;
        }),
      MAX_RECORDS_PER_TRANSACTION,
    );
  }

  get inboundTopics(): string[] {
    return this.topics.names;
  }

  /** Starts the background work once PostgreSQL is ready (the app answers its probes meanwhile). */
  onModuleInit(): void {
    // Series at 0 from the start: a counter that first appears holding its count shows no increase().
    for (const topic of this.topics.names) {
      ingestOffsetsSkipped.inc({ topic }, 0);
      ingestSeeks.inc({ topic }, 0);
    }
    for (const kind of INGEST_FAILURE_KINDS) ingestFailures.inc({ kind }, 0);
    readinessChecks.register('ingest', () => this.readiness());
    this.prepared = this.prepare();
    this.prepared.catch(() => undefined);
  }

  /** The database ready, the rates loaded, the relay and the offset watch running: before the first batch. */
  private async prepare(): Promise<void> {
    await this.startup.ready();
    if (this.stopping.signal.aborted) return;
    await this.rates.start();
    this.outbox.start();
    this.offsets.start(OFFSET_WATCH_MS);
  }

  onModuleDestroy(): void {
    this.stopping.abort(new Error('the ingestor is stopping'));
    readinessChecks.unregister('ingest');
  }

  /** The running consumer, for the offset watch to pause and resume partitions. */
  attachConsumer(control: ConsumerControl): void {
    this.offsets.attach(control);
  }

  /** Where to resume each newly assigned partition: PostgreSQL's offsets, the truth of what is stored. */
  onAssigned(assigned: TopicPartition[]): Promise<AssignmentPlan> {
    return this.offsets.plan(assigned);
  }

  /** One partition's batch: ingested (whatever PostgreSQL does), or answered with where to read from. */
  async handleBatch(batch: PartitionBatch): Promise<BatchDecision> {
    const key = `${batch.topic}:${batch.partition}`;
    const started = Date.now();
    await this.rates.ensureLoaded();
    // Validated now, outside the transaction: while one group of batches is in PostgreSQL, the
    // next ones are validated.
    const nowMs = Date.now();
    const validated = batch.records.map((r) => validateRecord(r.value, { nowMs, hasRate: this.rates.hasRate }));
    const expected = this.seekingBackTo.get(key);
    const result = await this.groupCommit.submit({
      group: this.config.ingest.groupId,
      topic: batch.topic,
      partition: batch.partition,
      records: batch.records,
      fromOffset: batch.fromOffset,
      nextOffset: batch.nextOffset,
      logEndOffset: batch.highWatermark,
      acceptGap: expected !== undefined,
      validated,
    });
    if (result.kind === 'beyond-log-end') {
      this.offsets.report(batch.topic, batch.partition, result.storedOffset, result.logEndOffset);
      return { done: false, pause: true };
    }
    if (result.kind === 'gap') {
      // Once back to where PostgreSQL says; if the records there are gone (retention), the next
      // batch again starts later and is accepted with the gap.
      this.logger.warn(
        `${key}: batch starts at ${result.firstOffset}, PostgreSQL expects ${result.expectedOffset}: seeking back`,
      );
      ingestSeeks.inc({ topic: batch.topic });
      this.seekingBackTo.set(key, result.expectedOffset);
      return { done: false, seekTo: result.expectedOffset.toString() };
    }
    this.seekingBackTo.delete(key);
    if (expected !== undefined && BigInt(batch.fromOffset) > expected) {
      const lost = BigInt(batch.fromOffset) - expected;
      ingestOffsetsSkipped.inc({ topic: batch.topic }, Number(lost));
      this.logger.error(
        `${key}: offsets ${expected} to ${BigInt(batch.fromOffset) - 1n} are no longer in Kafka ` +
          `(retention deleted them before they were ingested): ${lost} offsets never read`,
      );
    }
    if (result.kind === 'ingested') this.ingested(batch, result, started);
    return { done: true, nextOffset: result.nextOffset.toString() };
  }

  /**
   * Offsets holding only records Kafka filters out (an aborted transaction, markers): made durable
   * without records, in a transaction of their own (never grouped with a batch of the partition).
   */
  async coverFiltered(range: TopicPartition & { fromOffset: string; nextOffset: string }): Promise<void> {
    await ingestResilient(this.pool, [{ group: this.config.ingest.groupId, ...range, records: [] }], {
      context: { hasRate: this.rates.hasRate },
      signal: this.stopping.signal,
      onFailure: (failure) => this.failed(failure),
    });
  }

  /**
   * Before the consumer subscribes: PostgreSQL ready (rates, relay, offset watch), and the inbound
   * and dead-letter topics created when missing.
   */
  async ensureTopics(): Promise<void> {
    this.prepared ??= this.prepare();
    // A failure here (PostgreSQL gone again) is retried with the consumer's start.
    await this.prepared.catch((error: unknown) => {
      this.prepared = undefined;
      throw error;
    });
    await this.topics.ensureCreated();
  }

  private ingested(batch: PartitionBatch, result: Extract<BatchResult, { kind: 'ingested' }>, started: number): void {
    ingestBatchSize.observe(result.consumed);
    ingestBatchSeconds.observe((Date.now() - started) / 1000);
    if (result.rejected > 0) this.outbox.kick();
    // One line per batch, with where it came from and where it ends: grep-able by topic, partition, offsets.
    this.logger.debug({
      msg: 'batch ingested',
      topic: batch.topic,
      partition: batch.partition,
      firstOffset: batch.records[0]?.offset,
      nextOffset: result.nextOffset.toString(),
      consumed: result.consumed,
      accepted: result.accepted,
      duplicate: result.duplicate,
      rejected: result.rejected,
      redelivered: result.skipped,
      ms: Date.now() - started,
    });
  }

  /** A failed ingest transaction, about to be retried: counted, logged (not on every retry), shown in readiness. */
  private failed(failure: IngestFailure): void {
    ingestFailures.inc({ kind: failure.kind });
    const reason = `${failure.kind}: ${describePgError(failure.error)}`;
    const now = Date.now();
    const first = !this.failing;
    this.failing = { since: this.failing?.since ?? now, loggedAt: this.failing?.loggedAt ?? 0, reason };
    if (first || now - this.failing.loggedAt >= FAILURE_LOG_MS) {
      this.failing.loggedAt = now;
      const line =
        `ingest transaction failed (${reason}); retrying in ${Math.round(failure.retryInMs)} ms ` +
        `(attempt ${failure.attempt}, failing for ${Math.round((now - this.failing.since) / 1000)} s)`;
      if (failure.kind === 'fault') this.logger.error(line);
      else this.logger.warn(line);
    }
  }

  private recovered(): void {
    if (!this.failing) return;
    this.logger.log(
      `ingest transactions succeed again after ${Math.round((Date.now() - this.failing.since) / 1000)} s of failures`,
    );
    this.failing = undefined;
  }

  private async readiness(): Promise<string> {
    const paused = this.offsets.paused();
    if (paused.length > 0) {
      throw new Error(
        `paused (stored offset beyond the log end): ` +
          `${paused.map((p) => `${p.topic}[${p.partition}] ${p.stored} > ${p.end}`).join(', ')}`,
      );
    }
    const failing = this.failing;
    if (failing && Date.now() - failing.since >= FAILING_UNREADY_MS) {
      throw new Error(
        `ingest transactions failing for ${Math.round((Date.now() - failing.since) / 1000)} s: ${failing.reason}`,
      );
    }
    return failing ? `retrying (${failing.reason})` : 'ingesting';
  }
}
