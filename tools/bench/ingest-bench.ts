/**
 * Ingest benchmark: the same records ingested by Caravan's ingestor (set-based batches, one
 * transaction per partition batch) and by a plain per-record baseline (one INSERT and one
 * offset write per record), side by side against the same Kafka broker and PostgreSQL server.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Pool } from 'pg';
import { loadConfig, type CaravanConfig } from '@caravan/config';
import { validateRecord } from '@caravan/contract';
import { createPool, dropDatabase, ensureDatabase, migrate, withDatabase } from '@caravan/database';
import { CurrencyRateValidity, ingestTotals } from '@caravan/ingest';
import { createKafka, ensureTopics, EventProducer } from '@caravan/kafka';
import { readFileSync } from 'node:fs';
import { buildApps, spawnApp, stopApp } from '../../tests/harness/child-app';
import { mixedStream, produceStream } from '../../tests/harness/mixed-stream';

export type IngestBenchResult = {
  name: string;
  records: number;
  seconds: number;
  perSecond: number;
  /** From the first stored batch to the last: start-up and group join left out. */
  steadyPerSecond?: number;
  batches?: number;
  rssMb: number;
};

function envFor(base: CaravanConfig, url: string, id: string): Record<string, string> {
  return {
    DATABASE_URL: url,
    KAFKA_BROKERS: base.kafka.brokers.join(','),
    TOPIC_BOOKINGS: `${id}.bookings`,
    TOPIC_ARRIVALS: `${id}.arrivals`,
    TOPIC_MEDIA: `${id}.media`,
    TOPIC_DLQ: `${id}.dlq`,
    INGEST_GROUP_ID: `${id}-caravan`,
    TOPIC_PARTITIONS: '6',
    HTTP_PORT: '0',
    LOG_LEVEL: 'warn',
  };
}

export async function benchIngest(records: number, log: (line: string) => void): Promise<IngestBenchResult[]> {
  const base = loadConfig('tool');
  const id = `bench-${randomBytes(3).toString('hex')}`;
  const dbName = `caravan_bench_${randomBytes(3).toString('hex')}`;
  const url = withDatabase(base.database.url, dbName);
  await ensureDatabase(url);
  const pool = createPool({ url, poolSize: 4 });
  const kafka = createKafka({ brokers: base.kafka.brokers, clientId: id });
  try {
    await migrate(pool);
    const env = envFor(base, url, id);
    const config = loadConfig('ingestor', env);
    const admin = kafka.admin();
    await admin.connect();
    const t = config.topics;
    await ensureTopics(admin, [t.bookings, t.arrivals, t.media, t.dlq].map((topic) => ({ topic, numPartitions: 6 })));
    await admin.disconnect();

    const stream = mixedStream(records, 42);
    const producer = new EventProducer(kafka, t);
    await producer.connect();
    const produceStart = performance.now();
    await produceStream(producer, t, stream.records);
    log(`produced ${records} records in ${((performance.now() - produceStart) / 1000).toFixed(1)} s`);
    await producer.disconnect();

    const caravan = await runCaravan(env, pool, config.ingest.groupId, records);
    const baseline = await runBaseline(kafka, pool, t, `${id}-baseline`, records);
    return [caravan, baseline];
  } finally {
    await pool.end();
    await dropDatabase(base.database.url, dbName);
    const admin = kafka.admin();
    await admin.connect().then(() => admin.deleteTopics({ topics: ['bookings', 'arrivals', 'media', 'dlq'].map((r) => `${id}.${r}`) })).catch(() => undefined);
    await admin.disconnect();
  }
}

async function consumedSoFar(pool: Pool, group: string): Promise<number> {
  return (await ingestTotals(pool, group)).reduce((n, t) => n + t.consumed, 0);
}

/** The built ingestor as its own process, timed from spawn (start-up included) to the last record. */
async function runCaravan(env: Record<string, string>, pool: Pool, group: string, records: number): Promise<IngestBenchResult> {
  buildApps();
  const batchesBefore = await commits(pool);
  const start = performance.now();
  const app = spawnApp('ingestor', env);
  let first: { at: number; consumed: number } | undefined;
  try {
    for (;;) {
      const consumed = await consumedSoFar(pool, group);
      if (consumed > 0 && !first) first = { at: performance.now(), consumed };
      if (consumed >= records) break;
      if (app.process.exitCode !== null) throw new Error(`the ingestor exited early; log: ${app.logFile}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const end = performance.now();
    const seconds = (end - start) / 1000;
    const steady = first && end > first.at ? (records - first.consumed) / ((end - first.at) / 1000) : undefined;
    const batches = (await commits(pool)) - batchesBefore;
    const rssMb = peakRssMb(app.process.pid);
    return { name: 'caravan ingestor (set-based batches)', records, seconds, perSecond: records / seconds, steadyPerSecond: steady, batches, rssMb };
  } finally {
    await stopApp(app);
  }
}

/** VmHWM: the peak resident memory of a process. */
function peakRssMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** The number of ingest transactions so far: one stored-offset update each. */
async function commits(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(`SELECT coalesce(sum(n_tup_upd), 0) AS n FROM pg_stat_user_tables WHERE relname = 'ingest_offsets'`);
  return Number(rows[0]?.n ?? 0);
}

/** The plain way: per record, validate, INSERT … ON CONFLICT, write the offset, commit. */
async function runBaseline(kafka: ReturnType<typeof createKafka>, pool: Pool, t: CaravanConfig['topics'], group: string, records: number): Promise<IngestBenchResult> {
  const rates = new CurrencyRateValidity(pool);
  await rates.refresh();
  await pool.query('CREATE TABLE baseline_events (LIKE events INCLUDING DEFAULTS INCLUDING IDENTITY)');
  await pool.query('ALTER TABLE baseline_events ADD CONSTRAINT baseline_event_id_key UNIQUE (event_id)');
  await pool.query('CREATE TABLE baseline_offsets (topic text, partition int, next_offset bigint, PRIMARY KEY (topic, partition))');
  const consumer = kafka.consumer({ groupId: group });
  let done = 0;
  const start = performance.now();
  await consumer.connect();
  await consumer.subscribe({ topics: [t.bookings, t.arrivals, t.media], fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: 3,
    eachMessage: async ({ topic, partition, message }) => {
      const result = validateRecord(message.value, { nowMs: Date.now(), hasRate: rates.hasRate });
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        if (result.ok) {
          const e = result.event;
          await client.query(
            `INSERT INTO baseline_events (event_id, type, version, occurred_at, producer, data, content_hash, source_topic, source_partition, source_offset)
             VALUES ($1, $2, $3, $4, $5, $6, decode($7, 'hex'), $8, $9, $10) ON CONFLICT (event_id) DO NOTHING`,
            [e.eventId, e.type, e.version, e.occurredAt, e.producer, JSON.stringify(e.data), e.contentHash, topic, partition, message.offset],
          );
        }
        await client.query(
          `INSERT INTO baseline_offsets VALUES ($1, $2, $3) ON CONFLICT (topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset`,
          [topic, partition, Number(message.offset) + 1],
        );
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      done += 1;
    },
  });
  while (done < records) await new Promise((r) => setTimeout(r, 20));
  const seconds = (performance.now() - start) / 1000;
  await consumer.disconnect();
  return { name: 'baseline (one transaction per record)', records, seconds, perSecond: records / seconds, rssMb: peakRssMb(process.pid) };
}
