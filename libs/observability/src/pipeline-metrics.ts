import type { Admin } from 'kafkajs';
import type { Pool } from 'pg';
import { PROJECTION_NAMES, REJECTION_CODES } from '@caravan/contract';
import { appendOnlyFindings, projectionProgress } from '@caravan/event-store';
import { withDeadline } from './deadline';
import { ingestTotals } from './ingest-totals';
import {
  consumerLag,
  dlqPending,
  dlqUnpublishable,
  duplicates,
  eventsAccepted,
  pipelineMetricsRefreshed,
  projectionLagEvents,
  projectionLagSeconds,
  projectionSetAside,
  recordsConsumed,
  registry,
  rejections,
  replayed,
  snapshotAgeSeconds,
  storeAppendOnly,
} from './metrics';

/**
 * The pipeline's state as PostgreSQL (and Kafka's high watermarks, when an admin is given) say it: aggregates only, no
 * record contents.
 */
export type PipelineStatus = {
  /** Per inbound topic: records consumed, events accepted, duplicates, rejections by code. */
  topics: Array<{
    topic: string;
    consumed: number;
    accepted: number;
    duplicate: number;
    /** Rejections not replayed, by code: consumed = accepted + duplicate + these. */
    rejected: Record<string, number>;
    /**
     * Rejections a replay turned into an accepted event or a duplicate (counted in those since), by original code and
     * by outcome.
     */
    replayed: { byCode: Record<string, number>; accepted: number; duplicate: number };
  }>;
  /** Records on the inbound topics not consumed yet, per partition; undefined when Kafka did not answer. */
  consumerLag: Array<{ topic: string; partition: number; records: number }> | undefined;
  projections: Array<{ name: string; lagEvents: number; lagSeconds: number; setAside: number }>;
  dlq: { pending: number; refused: number };
  /** Seconds since the newest snapshot was computed; undefined before the first. */
  snapshotAgeSeconds: number | undefined;
};

const newTopic = (topic: string): PipelineStatus['topics'][number] => ({
  topic,
  consumed: 0,
  accepted: 0,
  duplicate: 0,
  rejected: {},
  replayed: { byCode: {}, accepted: 0, duplicate: 0 },
});

export type PipelineStatusOptions = {
  group: string;
  topics: string[];
  /** Kafka, for the consumer lag (none, or undefined when not connected: no consumer lag). */
  admin?: Admin | Promise<Admin | undefined>;
  /** Kafka failed or gave no answer within KAFKA_DEADLINE_MS: the status comes without consumer lag. */
  onKafkaError?: (error: Error) => void;
};

/** Kafka's high watermarks are asked beside PostgreSQL, for this long at most. */
export const KAFKA_DEADLINE_MS = 3_000;

type Watermarks = Array<{ topic: string; partitions: Array<{ partition: number; high: string; low: string }> }>;

async function readWatermarks(
  admin: PipelineStatusOptions['admin'],
  topics: string[],
): Promise<Watermarks | undefined> {
  const connected = await admin;
  if (!connected) return undefined;
  return Promise.all(
    topics.map(async (topic) => ({
      topic,
      // A topic not created yet holds no record: no lag (the figures from PostgreSQL still count).
      partitions: await connected
        .fetchTopicOffsets(topic)
        .catch((error: Error & { type?: string; cause?: { type?: string } }) => {
          if ((error.type ?? error.cause?.type) === 'UNKNOWN_TOPIC_OR_PARTITION') return [];
          throw error;
        }),
    })),
  );
}

/**
 * Reads the pipeline's state: counts from ingest_totals, projection lag, set-aside events, dead
 * letters, snapshot age, and consumer lag. Kafka is asked beside PostgreSQL and within
 * KAFKA_DEADLINE_MS: when it fails, only the consumer lag is missing (a PostgreSQL error throws).
 */
export async function readPipelineStatus(pool: Pool, options: PipelineStatusOptions): Promise<PipelineStatus> {
  const watermarks =
    options.admin === undefined
      ? Promise.resolve(undefined)
      : withDeadline(readWatermarks(options.admin, options.topics), KAFKA_DEADLINE_MS, 'Kafka').catch(
          (error: Error) => {
            options.onKafkaError?.(error);
            return undefined;
          },
        );
  const byTopic = new Map<string, PipelineStatus['topics'][number]>();
  for (const { topic, consumed, accepted, duplicate, rejectedByCode } of await ingestTotals(pool, options.group))
    byTopic.set(topic, { ...newTopic(topic), consumed, accepted, duplicate, rejected: rejectedByCode });
  // Replays move a rejection into accepted (or duplicate): counted here so the rejections ever made never go down.
  const replays = await pool.query<{
    topic: string;
    code: string;
    resolution: 'accepted' | 'duplicate';
    count: string;
  }>(
    `SELECT source_topic AS topic, code, resolution, count(*)::text AS count FROM rejections
     WHERE consumer_group = $1 AND resolution IN ('accepted', 'duplicate') GROUP BY 1, 2, 3`,
    [options.group],
  );
  for (const row of replays.rows) {
    let t = byTopic.get(row.topic);
    if (!t) byTopic.set(row.topic, (t = newTopic(row.topic)));
    const n = Number(row.count);
    t.replayed.byCode[row.code] = (t.replayed.byCode[row.code] ?? 0) + n;
    t.replayed[row.resolution] += n;
  }

  const progress = await projectionProgress(pool, PROJECTION_NAMES);
  const aside = await pool.query<{ projection: string; n: number }>(
    `SELECT projection, count(*)::int AS n FROM projection_set_aside
     WHERE projection = ANY($1::text[]) GROUP BY projection`,
    [PROJECTION_NAMES],
  );
  const setAside = new Map(aside.rows.map((r) => [r.projection, r.n]));

  // A partial index keeps the pending count cheap; refused ones are few by nature.
  const dlq = await pool.query<{ pending: string; refused: string }>(
    `SELECT (SELECT count(*) FROM rejections WHERE dlq_published_at IS NULL AND dlq_failed_at IS NULL)::text
              AS pending,
            (SELECT count(*) FROM rejections WHERE dlq_failed_at IS NOT NULL AND dlq_published_at IS NULL)::text
              AS refused`,
  );
  const age = await pool.query<{ age: string | null }>(
    `SELECT extract(epoch FROM now() - max(computed_at))::text AS age FROM kpi_latest`,
  );

  let lag: PipelineStatus['consumerLag'];
  const marks = await watermarks;
  if (marks) {
    const stored = await pool.query<{ topic: string; partition: number; next_offset: string }>(
      'SELECT topic, partition, next_offset::text FROM ingest_offsets WHERE consumer_group = $1',
      [options.group],
    );
    const next = new Map(stored.rows.map((r) => [`${r.topic}:${r.partition}`, BigInt(r.next_offset)]));
    lag = [];
    for (const { topic, partitions } of marks) {
      for (const p of partitions) {
        const from = next.get(`${topic}:${p.partition}`) ?? BigInt(p.low);
        const records = BigInt(p.high) - (from < 0n ? BigInt(p.low) : from);
        lag.push({ topic, partition: p.partition, records: Number(records > 0n ? records : 0n) });
      }
    }
  }
  const ageSeconds = age.rows[0]?.age;
  return {
    topics: [...byTopic.values()].sort((a, b) => a.topic.localeCompare(b.topic)),
    consumerLag: lag,
    projections: progress
      .map((p) => ({
        name: p.name,
        lagEvents: p.lagEvents,
        lagSeconds: p.lagSeconds,
        setAside: setAside.get(p.name) ?? 0,
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),

    dlq: { pending: Number(dlq.rows[0]?.pending ?? 0), refused: Number(dlq.rows[0]?.refused ?? 0) },
    snapshotAgeSeconds: ageSeconds === null || ageSeconds === undefined ? undefined : Number(ageSeconds),
  };
}

/**
 * The pipeline-wide metrics: read from PostgreSQL (and Kafka) at a scrape, the same whichever app
 * answers. Only apps with METRICS_PIPELINE (the api by default) export them, so a Prometheus sum
 * over the apps does not count them several times (several api replicas: aggregate with max).
 */
export const PIPELINE_METRIC_NAMES: readonly string[] = [
  recordsConsumed,
  eventsAccepted,
  duplicates,
  rejections,
  replayed,
  consumerLag,
  projectionLagEvents,
  projectionLagSeconds,
  projectionSetAside,
  snapshotAgeSeconds,
  dlqPending,
  dlqUnpublishable,
  storeAppendOnly,
  pipelineMetricsRefreshed,
].map((metric) => (metric as unknown as { name: string }).name);

/**
 * The registry as Prometheus text: with the pipeline-wide metrics, or without them (their values are not this
 * process's).
 */
export async function metricsText(options: { pipeline: boolean }): Promise<string> {
  if (options.pipeline) return registry.metrics();
  const own = registry.getMetricsAsArray().filter((metric) => !PIPELINE_METRIC_NAMES.includes(metric.name));
  return `${(await Promise.all(own.map((metric) => registry.getSingleMetricAsString(metric.name)))).join('\n\n')}\n`;
}

/**
 * Sets the database-backed metrics from PostgreSQL (and Kafka's high watermarks when given an
 * admin), and the time they were read. Without Kafka the consumer lag keeps its values; a
 * PostgreSQL error throws and leaves every figure (and the time) as it was.
 */
export async function refreshPipelineMetrics(pool: Pool, options: PipelineStatusOptions): Promise<PipelineStatus> {
  const status = await readPipelineStatus(pool, options);
  const findings = await appendOnlyFindings(pool);
  for (const counter of [recordsConsumed, eventsAccepted, duplicates, rejections, replayed]) counter.reset();
  // Every inbound topic (and rejection code) at 0 before its first record: a series that first
  // appears holding its count shows no increase() or rate() to the rules.
  for (const topic of options.topics) {
    for (const counter of [recordsConsumed, eventsAccepted, duplicates]) counter.inc({ topic }, 0);
    for (const code of REJECTION_CODES) rejections.inc({ topic, code }, 0);
  }
  for (const t of status.topics) {
    recordsConsumed.inc({ topic: t.topic }, t.consumed);
    eventsAccepted.inc({ topic: t.topic }, t.accepted);
    duplicates.inc({ topic: t.topic }, t.duplicate);
    // Every rejection ever made, replayed or not: a counter that never goes down (rate() stays right).
    const codes = new Set([...Object.keys(t.rejected), ...Object.keys(t.replayed.byCode)]);
    for (const code of codes)
      rejections.inc({ topic: t.topic, code }, (t.rejected[code] ?? 0) + (t.replayed.byCode[code] ?? 0));
    for (const outcome of ['accepted', 'duplicate'] as const)
      if (t.replayed[outcome] > 0) replayed.inc({ topic: t.topic, outcome }, t.replayed[outcome]);
  }
  for (const p of status.projections) {
    projectionLagEvents.set({ projection: p.name }, p.lagEvents);
    projectionLagSeconds.set({ projection: p.name }, p.lagSeconds);
    projectionSetAside.set({ projection: p.name }, p.setAside);
  }
  dlqPending.set(status.dlq.pending);
  dlqUnpublishable.set(status.dlq.refused);
  if (status.snapshotAgeSeconds !== undefined) snapshotAgeSeconds.set(status.snapshotAgeSeconds);
  if (status.consumerLag) {
    consumerLag.reset();
    for (const l of status.consumerLag) consumerLag.set({ topic: l.topic, partition: String(l.partition) }, l.records);
  }
  storeAppendOnly.set(findings.length === 0 ? 1 : 0);
  pipelineMetricsRefreshed.setToCurrentTime();
  return status;
}
