import type { Admin } from 'kafkajs';
import type { Pool } from 'pg';
import { consumerLag, dlqPending, dlqUnpublishable, duplicates, eventsAccepted, projectionLagEvents, projectionLagSeconds, projectionSetAside, recordsConsumed, rejections, snapshotAgeSeconds } from './metrics';

export const PROJECTION_NAMES = ['arrivals_daily', 'bookings', 'media_daily', 'watermark'];

/** Sets the database-backed metrics from PostgreSQL (and Kafka's high watermarks when given an admin). */
export async function refreshPipelineMetrics(pool: Pool, options: { group: string; topics: string[]; admin?: Admin }): Promise<void> {
  const totals = await pool.query<{ topic: string; outcome: string; code: string; count: string }>(
    'SELECT topic, outcome, code, count::text FROM ingest_totals WHERE consumer_group = $1',
    [options.group],
  );
  for (const counter of [recordsConsumed, eventsAccepted, duplicates, rejections]) counter.reset();
  for (const row of totals.rows) {
    const n = Number(row.count);
    if (row.outcome === 'consumed') recordsConsumed.inc({ topic: row.topic }, n);
    else if (row.outcome === 'accepted') eventsAccepted.inc({ topic: row.topic }, n);
    else if (row.outcome === 'duplicate') duplicates.inc({ topic: row.topic }, n);
    else rejections.inc({ topic: row.topic, code: row.code }, n);
  }

  const lags = await pool.query<{ name: string; events: string; seconds: string }>(
    `SELECT n.name, count(e.position)::text AS events,
            coalesce(extract(epoch FROM now() - min(e.ingested_at)), 0)::text AS seconds
     FROM unnest($1::text[]) AS n(name)
     LEFT JOIN projection_checkpoints c ON c.name = n.name
     LEFT JOIN events e ON e.position > coalesce(c.position, 0)
     GROUP BY n.name`,
    [PROJECTION_NAMES],
  );
  for (const row of lags.rows) {
    projectionLagEvents.set({ projection: row.name }, Number(row.events));
    projectionLagSeconds.set({ projection: row.name }, Number(row.seconds));
  }

  const aside = await pool.query<{ name: string; n: number }>(
    `SELECT n.name, count(s.position)::int AS n FROM unnest($1::text[]) AS n(name) LEFT JOIN projection_set_aside s ON s.projection = n.name GROUP BY n.name`,
    [PROJECTION_NAMES],
  );
  for (const row of aside.rows) projectionSetAside.set({ projection: row.name }, row.n);

  // A partial index keeps the pending count cheap; refused ones are few by nature.
  const dlq = await pool.query<{ pending: string; refused: string }>(
    `SELECT (SELECT count(*) FROM rejections WHERE dlq_published_at IS NULL AND dlq_failed_at IS NULL)::text AS pending,
            (SELECT count(*) FROM rejections WHERE dlq_failed_at IS NOT NULL AND dlq_published_at IS NULL)::text AS refused`,
  );
  dlqPending.set(Number(dlq.rows[0]?.pending ?? 0));
  dlqUnpublishable.set(Number(dlq.rows[0]?.refused ?? 0));

  const age = await pool.query<{ age: string | null }>(`SELECT extract(epoch FROM now() - max(computed_at))::text AS age FROM kpi_latest`);
  if (age.rows[0]?.age !== null && age.rows[0]?.age !== undefined) snapshotAgeSeconds.set(Number(age.rows[0].age));

  if (options.admin) {
    const stored = await pool.query<{ topic: string; partition: number; next_offset: string }>(
      'SELECT topic, partition, next_offset::text FROM ingest_offsets WHERE consumer_group = $1',
      [options.group],
    );
    const next = new Map(stored.rows.map((r) => [`${r.topic}:${r.partition}`, BigInt(r.next_offset)]));
    consumerLag.reset();
    for (const topic of options.topics) {
      for (const p of await options.admin.fetchTopicOffsets(topic)) {
        const from = next.get(`${topic}:${p.partition}`) ?? BigInt(p.low);
        const lag = BigInt(p.high) - (from < 0n ? BigInt(p.low) : from);
        consumerLag.set({ topic, partition: String(p.partition) }, Number(lag > 0n ? lag : 0n));
      }
    }
  }
}
