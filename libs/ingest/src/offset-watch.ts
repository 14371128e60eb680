import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import { PG_POOL } from '@caravan/database';
import {
  type AssignmentPlan,
  type ConsumerControl,
  KAFKA,
  type PartitionOffset,
  type TopicPartition,
} from '@caravan/kafka';
import { BackgroundLoop, offsetBeyondLogEnd } from '@caravan/observability';

type Beyond = TopicPartition & { stored: bigint; end: bigint; loggedAt: number };

const RELOG_MS = 5 * 60_000;

/**
 * Offsets that go backwards are never silent. When PostgreSQL's offset for a partition lies
 * beyond the partition's end (the topic was deleted and re-created, or its log truncated), the
 * records now in it are neither skipped as "already ingested" nor read: the partition is paused,
 * logged at error with the numbers, and shown in `caravan_ingest_offset_beyond_log_end` and
 * `caravan status`. Once ops accept the new log (`caravan offsets reset`, which moves the stored
 * offset), the watch sees it and resumes the partition there.
 */
@Injectable()
export class OffsetWatch implements OnModuleDestroy {
  private readonly beyond = new Map<string, Beyond>();
  private control: ConsumerControl | undefined;
  private admin: Admin | undefined;
  private watch: BackgroundLoop | undefined;

  private readonly logger = new Logger('Ingest');
  private readonly group: string;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(CONFIG) config: CaravanConfig,
  ) {
    this.group = config.ingest.groupId;
  }

  attach(control: ConsumerControl): void {
    this.control = control;
  }

  start(intervalMs: number): void {
    if (this.watch) return;
    this.watch = new BackgroundLoop({
      run: () => this.check(),
      everyMs: intervalMs,
      health: { name: 'offset-watch', stalledAfterMs: Math.max(10 * intervalMs, 120_000) },
    });
    this.watch.start({ now: false });
  }

  async onModuleDestroy(): Promise<void> {
    await this.watch?.stop();
    await this.admin?.disconnect().catch(() => undefined);
  }

  /** Newly assigned partitions: seek each to PostgreSQL's offset, or pause it when that lies beyond the log's end. */
  async plan(assigned: TopicPartition[]): Promise<AssignmentPlan> {
    if (assigned.length === 0) return { seek: [], pause: [] };
    const stored = await this.storedOffsets(assigned);
    const ends = await this.logEnds([...new Set(assigned.map((a) => a.topic))]).catch((error: Error) => {
      this.logger.warn(
        `could not read the partitions' end offsets (${error.message}): checked again on the first batch`,
      );
      return new Map<string, bigint>();
    });
    const plan: AssignmentPlan = { seek: [], pause: [] };
    for (const { topic, partition, offset } of stored) {
      const end = ends.get(key(topic, partition));
      if (end !== undefined && BigInt(offset) > end) {
        this.report(topic, partition, BigInt(offset), end);
        plan.pause.push({ topic, partition });
      } else {
        plan.seek.push({ topic, partition, offset });
      }
    }
    return plan;
  }

  /** A partition found beyond its log's end (at assignment, or by a batch): remembered, logged, measured. */
  report(topic: string, partition: number, stored: bigint, end: bigint): void {
    const k = key(topic, partition);
    const known = this.beyond.get(k);
    offsetBeyondLogEnd.set({ topic, partition: String(partition) }, Number(stored - end));
    if (known && known.stored === stored && known.end === end) return;
    this.beyond.set(k, { topic, partition, stored, end, loggedAt: Date.now() });
    this.logger.error(describe(topic, partition, stored, end));
  }

  /** The partitions paused now, for health. */
  paused(): Beyond[] {
    return [...this.beyond.values()];
  }

  /** Resumes the partitions whose stored offset ops moved back within the log. */
  private async check(): Promise<void> {
    if (this.beyond.size === 0) return;
    const waiting = [...this.beyond.values()];
    const stored = new Map(
      (await this.storedOffsets(waiting)).map((o) => [key(o.topic, o.partition), BigInt(o.offset)]),
    );
    const ends = await this.logEnds([...new Set(waiting.map((w) => w.topic))]);
    const resume: PartitionOffset[] = [];
    for (const w of waiting) {
      const k = key(w.topic, w.partition);
      const offset = stored.get(k);
      const end = ends.get(k);
      if (offset === undefined || end === undefined) continue;
      if (offset <= end) {
        resume.push({ topic: w.topic, partition: w.partition, offset: offset.toString() });
        this.beyond.delete(k);
        offsetBeyondLogEnd.remove({ topic: w.topic, partition: String(w.partition) });
        this.logger.log(`${k}: stored offset ${offset} is within the log (end ${end}) again: resuming there`);
      } else if (offset !== w.stored || end !== w.end || Date.now() - w.loggedAt > RELOG_MS) {
        // Still paused: said again now and then, so it is not lost in the log.
        this.beyond.set(k, { ...w, stored: offset, end, loggedAt: Date.now() });
        offsetBeyondLogEnd.set({ topic: w.topic, partition: String(w.partition) }, Number(offset - end));
        this.logger.error(describe(w.topic, w.partition, offset, end));
      }
    }
    if (resume.length > 0) this.control?.resume(resume);
  }

  private async storedOffsets(partitions: TopicPartition[]): Promise<PartitionOffset[]> {
    const { rows } = await this.pool.query<{ topic: string; partition: number; next_offset: string }>(
      `SELECT o.topic, o.partition, o.next_offset::text
       FROM ingest_offsets o
       JOIN unnest($2::text[], $3::int[]) AS a(topic, partition) ON a.topic = o.topic AND a.partition = o.partition
       WHERE o.consumer_group = $1 AND o.next_offset >= 0`,
      [this.group, partitions.map((p) => p.topic), partitions.map((p) => p.partition)],
    );
    return rows.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.next_offset }));
  }

  /** Each partition's end offset (high watermark). */
  private async logEnds(topics: string[]): Promise<Map<string, bigint>> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      await admin.connect();
      admin.on(admin.events.DISCONNECT, () => {
        if (this.admin === admin) this.admin = undefined;
      });
      this.admin = admin;
    }
    const ends = new Map<string, bigint>();
    for (const topic of topics) {
      for (const p of await this.admin.fetchTopicOffsets(topic)) ends.set(key(topic, p.partition), BigInt(p.high));
    }
    return ends;
  }
}

const key = (topic: string, partition: number): string => `${topic}:${partition}`;

function describe(topic: string, partition: number, stored: bigint, end: bigint): string {
  return (
    `${topic}[${partition}]: the stored offset ${stored} lies ${stored - end} beyond the partition's end ${end} ` +
    `(the topic was re-created or its log truncated): the partition is paused, nothing of it is skipped. ` +
    `To ingest the log as it is now: caravan offsets reset ${topic} ${partition} --to earliest --yes`
  );
}
