/**
 * Event-to-snapshot latency at a steady produce rate below the maximum: each sampled event's
 * delay from being produced to the first published snapshot whose position covers it.
 */
import { performance } from 'node:perf_hooks';
import type { Pool } from 'pg';
import type { CaravanConfig } from '@caravan/config';
import { createKafka, EventProducer, kafkaConnection } from '@caravan/kafka';
import { TrafficSimulator } from '@caravan/simulator';
import { cpuSeconds, cpuSecondsOfAll } from './process-stats';
import type { Workload } from './workload';

export type Latency = {
  rate: number;
  seconds: number;
  samples: number;
  uncovered: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** The first part of the delay: produced → its ingest transaction began (events.ingested_at). */
  toStore: { p50: number; p99: number };
  /** The rest: stored (events.ingested_at) → the first snapshot run covering it began (computed_at). */
  storedToSnapshot: { p50: number; p99: number };
  /** The publisher's runs that published while the traffic ran: time from one's start to the next's, snapshots each. */
  runs: { count: number; periodP50: number; periodP99: number; snapshotsP50: number };
  /** CPU seconds while the traffic was produced (wallSeconds): each app, PostgreSQL, the broker, the bench's producer. */
  cpu: { wallSeconds: number; apps: Record<string, number>; postgres: number; kafka: number; producer: number };
};

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

export async function measureLatency(
  config: CaravanConfig,
  pool: Pool,
  workload: Workload,
  rate: number,
  seconds: number,
  /** The apps' pids by name, for their CPU seconds during the traffic. */
  pids: Record<string, number> = {},
): Promise<Latency> {
  const simulator = new TrafficSimulator({
    seed: 7,
    timeZone: config.timeZone,
    mix: { badShare: 0, duplicateShare: 0 },
  });
  const producer = new EventProducer(
    createKafka({ ...kafkaConnection(config.kafka), clientId: `${workload.id}-latency` }),
    workload.topics,
  );
  await producer.connect();
  await warmUp(pool, producer, simulator);
  // Every record is made before timing, its event stamped with the time it is due to be sent
  // counted from when they are made (a few seconds before the traffic starts: the events are that
  // much older when sent, as a producer's often are): the producer then only sends, as one on
  // another machine would, and its CPU on these two cores is the least it can be.
  const made = Date.now();
  const planned = Array.from({ length: Math.ceil(rate * seconds) }, (_, i) =>
    simulator.next(new Date(made + (i * 1000) / rate), { allowPending: false }),
  );
  const producedAt = new Map<string, number>();
  const tick = 20;
  const cpuAt = (): Latency['cpu'] => ({
    wallSeconds: Date.now() / 1000,
    apps: Object.fromEntries(Object.entries(pids).map(([app, pid]) => [app, cpuSeconds(pid)])),
    postgres: cpuSecondsOfAll('postgres'),
    kafka: cpuSecondsOfAll('java'),
    producer: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
  });
  const cpuBefore = cpuAt();
  const started = Date.now();
  let sent = 0;
  try {
    while (Date.now() - started < seconds * 1000) {
      const due = Math.min(Math.floor(((Date.now() - started) / 1000) * rate), planned.length) - sent;
      if (due > 0) {
        const batch = planned.slice(sent, sent + due);
        const at = Date.now();
        for (const r of batch) if (r.event) producedAt.set(r.event.eventId, at);
        await producer.sendToRoles(batch);
        sent += due;
      }
      await new Promise((r) => setTimeout(r, tick));
    }
  } finally {
    await producer.disconnect();
  }
  const trafficEnded = Date.now();
  const cpuAfter = cpuAt();
  const cpu: Latency['cpu'] = {
    wallSeconds: cpuAfter.wallSeconds - cpuBefore.wallSeconds,
    apps: Object.fromEntries(Object.entries(cpuAfter.apps).map(([app, s]) => [app, s - (cpuBefore.apps[app] ?? 0)])),
    postgres: cpuAfter.postgres - cpuBefore.postgres,
    kafka: cpuAfter.kafka - cpuBefore.kafka,
    producer: cpuAfter.producer - cpuBefore.producer,
  };
  const ids = [...producedAt.keys()];
  // Wait until every produced event is stored and projected, then a second for the publisher (ticks of 100 ms).
  // Not until a snapshot covers the last one: an event that changes no KPI (a cancellation of an
  // unknown booking) is never covered by a snapshot of its own.
  const deadline = performance.now() + 120_000;
  let positions: Array<{ event_id: string; position: string; ingested_ms: number }> = [];
  for (;;) {
    positions = (
      await pool.query<{ event_id: string; position: string; ingested_ms: number }>(
        'SELECT event_id::text, position::text, (extract(epoch FROM ingested_at) * 1000)::float8 AS ' +
          'ingested_ms FROM events WHERE event_id = ANY($1::uuid[])',
        [ids],
      )
    ).rows;
    const maxPos = positions.reduce((m, p) => Math.max(m, Number(p.position)), 0);
    const projected = Number(
      (await pool.query<{ p: string }>('SELECT coalesce(min(position), 0)::text AS p FROM projection_checkpoints'))
        .rows[0]?.p,
    );
    if (positions.length === ids.length && projected >= maxPos) break;
    if (performance.now() > deadline)
      throw new Error(
        `latency: ${positions.length} of ${ids.length} events stored, projections not at them after 120 s`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 1_000));
  // The first publication covering each position: snapshot history ordered by position.
  // (Ordered by the bigint column: an output column named `position` of type text would sort
  // 1000000 before 999999.)
  const { rows: published } = await pool.query<{ pos: string; at: Date }>(
    `SELECT position::text AS pos, min(computed_at) AS at FROM kpi_snapshots
     WHERE computed_at >= to_timestamp($1 / 1000.0)
     GROUP BY kpi_snapshots.position ORDER BY kpi_snapshots.position`,
    [started],
  );
  const firstCover = published.map((p) => ({ position: Number(p.pos), at: p.at.getTime() }));
  // Earliest publication at or after each position (suffix minimum over times).
  for (let i = firstCover.length - 2; i >= 0; i--) {
    const next = firstCover[i + 1] as { at: number };
    const cur = firstCover[i] as { at: number };
    if (next.at < cur.at) cur.at = next.at;
  }
  const delays: number[] = [];
  const toStore: number[] = [];
  const storedToSnapshot: number[] = [];
  let uncovered = 0;
  for (const p of positions) {
    const position = Number(p.position);
    const cover = firstCover[firstAtLeast(firstCover, position)];
    const produced = producedAt.get(p.event_id);
    if (produced !== undefined) toStore.push(p.ingested_ms - produced);
    if (cover) {
      delays.push(cover.at - (produced ?? cover.at));
      storedToSnapshot.push(cover.at - p.ingested_ms);
    } else uncovered += 1;
  }
  // One publisher run that published = one computed_at (every snapshot of a run carries its start);
  // those that began while the traffic ran.
  const { rows: runRows } = await pool.query<{ at: Date; n: number }>(
    `SELECT computed_at AS at, count(*)::int AS n FROM kpi_snapshots
     WHERE computed_at >= to_timestamp($1 / 1000.0) AND computed_at < to_timestamp($2 / 1000.0)
     GROUP BY computed_at ORDER BY computed_at`,
    [started, trafficEnded],
  );
  const periods = runRows
    .slice(1)
    .map((r, i) => r.at.getTime() - (runRows[i] as { at: Date }).at.getTime())
    .sort((a, b) => a - b);
  const perRun = runRows.map((r) => r.n).sort((a, b) => a - b);
  delays.sort((a, b) => a - b);
  toStore.sort((a, b) => a - b);
  storedToSnapshot.sort((a, b) => a - b);
  return {
    rate,
    seconds,
    samples: delays.length,
    uncovered,
    p50: percentile(delays, 50),
    p95: percentile(delays, 95),
    p99: percentile(delays, 99),
    max: delays[delays.length - 1] ?? NaN,
    toStore: { p50: Math.round(percentile(toStore, 50)), p99: Math.round(percentile(toStore, 99)) },
    storedToSnapshot: {
      p50: Math.round(percentile(storedToSnapshot, 50)),
      p99: Math.round(percentile(storedToSnapshot, 99)),
    },
    runs: {
      count: runRows.length,
      periodP50: Math.round(percentile(periods, 50)),
      periodP99: Math.round(percentile(periods, 99)),
      snapshotsP50: percentile(perRun, 50),
    },
    cpu,
  };
}

/** Index of the first entry whose position is at least `position` (binary search). */
function firstAtLeast(sorted: Array<{ position: number }>, position: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as { position: number }).position < position) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * One event through the whole chain before timing: the publisher just restarted (Nest boot, Kafka
 * connection), and events produced meanwhile would measure its start-up, not the pipeline.
 */
async function warmUp(pool: Pool, producer: EventProducer, simulator: TrafficSimulator): Promise<void> {
  // An arrival: it always changes a KPI, so a snapshot will cover it.
  let record = simulator.next(new Date(), { allowPending: false });
  while (record.role !== 'arrivals' || !record.event) record = simulator.next(new Date(), { allowPending: false });
  await producer.sendToRoles([record]);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { rows } = await pool.query<{ covered: boolean }>(
      `SELECT coalesce((SELECT max(position) FROM kpi_snapshots), 0) >= (SELECT position FROM ` +
        `events WHERE event_id = $1::uuid) AS covered`,
      [record.event?.eventId],
    );
    if (rows[0]?.covered) return;
    if (Date.now() > deadline) throw new Error('latency warm-up: no snapshot covered the first event within 120 s');
    await new Promise((r) => setTimeout(r, 50));
  }
}
