/**
 * `npm run chaos [-- --duration 10m --seed 1 --rate 400 --out file]`: the real stack under faults,
 * with simulated traffic flowing all along. The run starts a Kafka broker of its own (so that it
 * can kill it without touching anyone else's), a fresh database, and the apps as processes (two
 * ingestors, two projectors, two publishers, one api), each restarted a second after it dies as an
 * orchestrator would. Faults come at moments drawn from a seeded schedule: kill -9 of each app,
 * SIGSTOP/SIGCONT of the ingestor holding the append lock, pg_terminate_backend of every app
 * session, the broker killed (-9) and restarted, a publisher started while the broker is down.
 * At the end it checks the invariants and prints a table (fault, count, time to recover p50/max);
 * exit 1 when an invariant fails.
 *
 * `npm run chaos -- --soak 30m [--rate N]`: no faults; traffic at 70% of the end-to-end rate of the
 * last `npm run bench` (or --rate), generated as it is sent; each app's RSS sampled every 5 s, its
 * peak over the first minute once warm against its peak over the traffic's last minute (flat within
 * 10%).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Pool } from 'pg';
import { DLQ_HEADERS, PROJECTION_NAMES } from '@caravan/contract';
import { type CaravanConfig, loadConfig } from '@caravan/config';
import {
  advisoryLockHolders,
  createPool,
  dropDatabase,
  ensureDatabase,
  migrate,
  withDatabase,
} from '@caravan/database';
import { APPEND_LOCK } from '@caravan/event-store';
import { createKafka, ensureTopics, EventProducer, kafkaConnection } from '@caravan/kafka';
import { mulberry32, historicTraffic, type OutcomeSummary, summarize, type SimRecord } from '@caravan/simulator';
import { buildApps, freePortRun, isAlive, ourBrokerPid, startBroker, stopBroker, waitFor } from '@caravan/stack';
import { checkAgainstSql, type Check, consumedSoFar } from './bench/caravan-run';
import { recordsOnTopics } from './bench/workload';
import { Fleet, type Instance } from './chaos/fleet';

const log = (line: string): void => void process.stdout.write(`${line}\n`);

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10m' },
    seed: { type: 'string', default: '1' },
    /**
     * Records per second of simulated traffic (default: 400 with faults; 70% of the bench's end-to-end rate with
     * --soak).
     */
    rate: { type: 'string' },
    soak: { type: 'string' },
    out: { type: 'string', default: 'bench-results/chaos.json' },
    'keep-on-failure': { type: 'boolean', default: false },
  },
});

type FaultKind =
  | 'kill ingestor'
  | 'kill projector'
  | 'kill publisher'
  | 'kill api'
  | 'freeze append-lock holder'
  | 'terminate every app session'
  | 'kill -9 and restart the broker'
  | 'start a publisher while the broker is down';
type FaultResult = { kind: FaultKind; at: number; recoverySeconds: number | undefined; detail: string };

/** A fault not healed within this long fails the run. */
const RECOVERY_LIMIT_MS = 300_000;
/** What the apps get for a run that needs to see frozen peers lose their locks within seconds. */
const IDLE_TIMEOUT_MS = 4_000;

function seconds(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text.trim());
  if (!match) throw new Error(`expected a duration such as 90s, 10m or 1h, got ${text}`);
  return Number(match[1]) * (match[2] === 'h' ? 3600 : match[2] === 'm' ? 60 : 1);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether `probe` held in time; a probe that fails (PostgreSQL or the broker away on purpose) counts as not yet. */
const waitUntil = (probe: () => Promise<boolean>, timeoutMs: number): Promise<boolean> =>
  waitFor(probe, { timeoutMs, intervalMs: 200 }).catch(() => false);

/**
 * The fault plan: every kind at least once (kills ≥ 20 in a 10-minute run), at seeded moments in [10%, 80%] of the run.
 */
export function faultPlan(durationS: number, seed: number): Array<{ at: number; kind: FaultKind }> {
  const random = mulberry32(seed);
  const scale = Math.max(0.2, durationS / 600);
  const count = (n: number) => Math.max(1, Math.round(n * scale));
  const kinds: FaultKind[] = [
    ...Array<FaultKind>(count(6)).fill('kill ingestor'),
    ...Array<FaultKind>(count(5)).fill('kill projector'),
    ...Array<FaultKind>(count(5)).fill('kill publisher'),
    ...Array<FaultKind>(count(4)).fill('kill api'),
    ...Array<FaultKind>(count(2)).fill('freeze append-lock holder'),
    ...Array<FaultKind>(count(2)).fill('terminate every app session'),
    ...Array<FaultKind>(count(2)).fill('kill -9 and restart the broker'),
    ...Array<FaultKind>(count(1)).fill('start a publisher while the broker is down'),
  ];
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j] as FaultKind, kinds[i] as FaultKind];
  }
  const times = kinds.map(() => (0.1 + random() * 0.7) * durationS).sort((a, b) => a - b);
  return kinds.map((kind, i) => ({ at: times[i] as number, kind }));
}

async function main(): Promise<number> {
  const soakS = args.soak ? seconds(args.soak) : undefined;
  const durationS = soakS ?? seconds(args.duration ?? '10m');
  const seed = Number(args.seed);
  const base = loadConfig('tool');
  const id = `chaos-${randomBytes(3).toString('hex')}`;
  const cleanups: Array<() => Promise<unknown>> = [];
  let failed = true;
  try {
    // A broker of our own, on free ports, in a state directory of its own.
    // The broker's controller listens on the next port.
    const port = await freePortRun(2);
    const stateDir = resolve(base.stack.stateDir, id);
    const broker = {
      stateDir,
      version: base.stack.kafkaVersion,
      heap: base.stack.kafkaHeap,
      bootstrap: `127.0.0.1:${port}`,
    };
    log(`${id}: starting a Kafka broker of its own at ${broker.bootstrap}`);
    await startBroker(broker, log);
    cleanups.push(async () => {
      await stopBroker(stateDir, () => undefined).catch(() => undefined);
      rmSync(stateDir, { recursive: true, force: true });
    });

    const name = `caravan_${id.replace('-', '_')}`;
    const url = withDatabase(base.database.url, name);
    await ensureDatabase(url);
    const pool = createPool({ url, poolSize: 4, applicationName: 'caravan-chaos' });
    await migrate(pool);
    cleanups.push(async () => {
      await pool.end();
      if (!(failed && args['keep-on-failure'])) await dropDatabase(base.database.url, name);
    });
    const config: CaravanConfig = { ...base, kafka: { ...base.kafka, brokers: [broker.bootstrap] } };
    const topics = {
      bookings: `${id}.bookings`,
      arrivals: `${id}.arrivals`,
      media: `${id}.media`,
      dlq: `${id}.dlq`,
      snapshots: `${id}.snapshots`,
    };
    // Quiet: the broker is killed on purpose; the traffic loop retries what it refuses.
    const kafka = createKafka({ ...kafkaConnection(config.kafka), clientId: `${id}-traffic`, quiet: true });
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(
      admin,
      [topics.bookings, topics.arrivals, topics.media, topics.dlq].map((topic) => ({ topic, numPartitions: 6 })),
    );
    await admin.disconnect();

    log('building the apps…');
    buildApps();
    const group = `${id}-ingestor`;
    const env: Record<string, string> = {
      DATABASE_URL: url,
      KAFKA_BROKERS: broker.bootstrap,
      TOPIC_BOOKINGS: topics.bookings,
      TOPIC_ARRIVALS: topics.arrivals,
      TOPIC_MEDIA: topics.media,
      TOPIC_DLQ: topics.dlq,
      TOPIC_SNAPSHOTS: topics.snapshots,
      INGEST_GROUP_ID: group,
      TOPIC_PARTITIONS: '6',
      LOG_LEVEL: 'warn',
      TIME_ZONE: config.timeZone,
      DATABASE_IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS),
      DATABASE_LOCK_TIMEOUT_MS: String(2 * IDLE_TIMEOUT_MS),
      PROJECTOR_IDLE_MS: '200',
      PROJECTOR_STANDBY_MS: '500',
      SNAPSHOT_INTERVAL_MS: '500',
      DLQ_RELAY_INTERVAL_MS: '1000',
    };
    const fleet = new Fleet(env, log);
    await fleet.add('ingestor', 2);
    await fleet.add('projector', 2);
    await fleet.add('publisher', 2);
    await fleet.add('api', 1);
    fleet.startAll();
    cleanups.push(() => fleet.stopAll());
    if (!(await waitUntil(() => fleet.allReady(), 180_000)))
      throw new Error(`the apps did not become ready (logs: ${fleet.logs().join(', ')})`);

    const rate = Number(args.rate ?? (soakS ? Math.round(0.7 * lastBenchRate()) : 400));
    // Generated as it is sent (a 30-minute soak is millions of records), counted as it goes.
    const count = Math.round(rate * durationS);
    const generated = historicTraffic({
      seed,
      timeZone: config.timeZone,
      mix: { badShare: 0.01, duplicateShare: 0.02 },
      from: new Date('2024-01-01T00:00:00+06:00'),
      to: new Date('2025-01-01T00:00:00+05:00'),
      count,
    });
    const expected: OutcomeSummary = summarize([]);
    log(
      `${count} records at ${rate}/s for ${durationS} s${soakS ? ' (soak: no faults)' : `, faults from seed ${seed}`}`,
    );

    const producer = new EventProducer(kafka, topics);
    await producer.connect();
    cleanups.push(() => producer.disconnect().catch(() => undefined));
    const started = performance.now();
    const sent = { records: 0 };
    const traffic = produceAtRate(producer, generated, rate, sent, expected);
    // RSS sampled all along the traffic: its peak over the first minute once the apps are warm
    // (after a tenth of the run, at most two minutes) against its peak over the last minute.
    const rss = soakS ? new RssSampler(fleet, performance.now() + Math.min(120, durationS / 10) * 1000) : undefined;
    const results: FaultResult[] = [];
    if (!soakS) {
      for (const fault of faultPlan(durationS, seed)) {
        const wait = fault.at * 1000 - (performance.now() - started);
        if (wait > 0) await sleep(wait);
        log(`${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s  ${fault.kind}`);
        results.push(
          await inject(fault.kind, { fleet, pool, group, broker, log, started, produced: () => sent.records }),
        );
      }
    }
    await traffic;
    rss?.stop();
    log(`traffic done after ${((performance.now() - started) / 1000).toFixed(0)} s; draining`);

    // Drained: everything on the topics consumed, projected, published, dead letters out.
    const onTopics = await recordsOnTopics(config, [topics.bookings, topics.arrivals, topics.media]);
    const drained = await waitUntil(
      async () => {
        if ((await consumedSoFar(pool, group)) < onTopics) return false;
        const head = Number(
          (await pool.query<{ h: string }>('SELECT coalesce(max(position), 0)::text AS h FROM events')).rows[0]?.h ?? 0,
        );
        const { rows } = await pool.query<{ p: string }>(
          'SELECT position::text AS p FROM projection_checkpoints WHERE name = ANY($1)',
          [PROJECTION_NAMES],
        );
        if (rows.length < PROJECTION_NAMES.length || Math.min(...rows.map((r) => Number(r.p))) < head) return false;
        const snapshot = Number(
          (await pool.query<{ p: string }>('SELECT coalesce(max(position), 0)::text AS p FROM kpi_latest')).rows[0]
            ?.p ?? 0,
        );
        const pending =
          (
            await pool.query<{ n: number }>(
              'SELECT count(*)::int AS n FROM rejections WHERE dlq_published_at IS NULL AND dlq_failed_at IS NULL',
            )
          ).rows[0]?.n ?? 1;
        return snapshot >= head && pending === 0;
      },
      Math.max(600, durationS) * 1000,
    );

    const drainSeconds = (performance.now() - started) / 1000 - durationS;
    const checks: Check[] = [
      {
        name: 'drained: every record consumed, projected, published; no dead letter pending',
        ok: drained,
        detail:
          `${onTopics} records on the topics, ` +
          `drained ${Math.max(0, drainSeconds).toFixed(0)} s after the traffic's end`,
      },
    ];
    checks.push(...(await checkAgainstSql(pool, config, group, { records: onTopics, expected } as never)));
    checks.push(await eventsOnce(pool));
    checks.push(await snapshotsAtTheirPosition(pool, config));
    checks.push(await dlqHoldsEveryRejection(pool, config, topics.dlq));
    if (!soakS) {
      const unhealed = results.filter((r) => r.recoverySeconds === undefined);
      checks.push({
        name: `every fault healed within ${RECOVERY_LIMIT_MS / 1000} s`,
        ok: unhealed.length === 0,
        detail:
          unhealed.map((r) => `${r.kind} at ${r.at.toFixed(0)} s: ${r.detail}`).join('; ') ||
          `${results.length} faults, ${fleet.restarts} restarts`,
      });
    } else {
      const { start, end } = (rss as RssSampler).peaks(60_000);
      const grew = Object.entries(end).filter(([n, mb]) => start[n] !== undefined && mb > (start[n] as number) * 1.1);
      checks.push({
        name: "each app's RSS flat within 10% (peak of the first warm minute → peak of the last minute)",
        ok: grew.length === 0 && Object.keys(end).length > 0,
        detail: Object.entries(end)
          .map(([n, mb]) => `${n} ${start[n]} → ${mb} MiB`)
          .join(', '),
      });
    }

    log('');
    if (!soakS) log(renderFaultTable(results));
    log('');
    for (const c of checks) log(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
    failed = checks.some((c) => !c.ok);
    if (failed) log(`app logs: ${fleet.logs().join(', ')}`);
    const out = args.out ?? 'bench-results/chaos.json';
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(
      out,
      `${JSON.stringify(
        {
          id,
          seed,
          durationS,
          rate,
          soak: soakS !== undefined,
          records: onTopics,
          faults: summarizeFaults(results),
          results,
          checks,
          restarts: fleet.restarts,
        },
        null,
        2,
      )}\n`,
    );
    log(`results written to ${out}`);
    return failed ? 1 : 0;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((e: Error) => log(`cleanup: ${e.message}`));
  }
}

type Context = {
  fleet: Fleet;
  pool: Pool;
  group: string;
  broker: Parameters<typeof startBroker>[0];
  log: (line: string) => void;
  started: number;
  produced: () => number;
};

/** Injects one fault and waits until the pipeline has healed: every instance ready, and ingest moving again. */
async function inject(kind: FaultKind, ctx: Context): Promise<FaultResult> {
  const at = (performance.now() - ctx.started) / 1000;
  const { fleet, pool } = ctx;
  let detail = '';
  let from = performance.now();
  const pick = (instances: Instance[]): Instance => instances[Math.floor(Math.random() * instances.length)] as Instance;
  switch (kind) {
    case 'kill ingestor':
    case 'kill projector':
    case 'kill publisher':
    case 'kill api': {
      const victim = pick(fleet.of(kind.slice(5) as 'ingestor'));
      detail = victim.name;
      fleet.kill(victim);
      await waitUntil(
        async () => victim.child?.process.exitCode !== null || victim.child?.process.signalCode !== null,
        10_000,
      );
      break;
    }
    case 'freeze append-lock holder': {
      const holder = await appendLockHolder(fleet, pool);
      if (!holder)
        return { kind, at, recoverySeconds: 0, detail: 'no ingestor held the append lock (no traffic in flight)' };
      detail = `${holder.name} frozen ${(2 * IDLE_TIMEOUT_MS) / 1000} s`;
      // Healing is the others going on while it is frozen: measured from the freeze.
      from = performance.now();
      const before = await consumedSoFar(pool, ctx.group);
      const progressed = await waitUntil(
        async () => (await consumedSoFar(pool, ctx.group)) > before,
        RECOVERY_LIMIT_MS,
      );
      const healedAfter = (performance.now() - from) / 1000;
      await sleep(Math.max(0, 2 * IDLE_TIMEOUT_MS - (performance.now() - from)));
      fleet.thaw(holder);
      const ready = await waitUntil(() => fleet.allReady(), RECOVERY_LIMIT_MS);
      return { kind, at, recoverySeconds: progressed && ready ? healedAfter : undefined, detail };
    }
    case 'terminate every app session': {
      const { rows } = await pool.query<{ n: number }>(
        `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()
           AND application_name LIKE 'caravan-%' AND application_name <> 'caravan-chaos'`,
      );
      detail = `${rows[0]?.n ?? 0} sessions`;
      break;
    }
    case 'kill -9 and restart the broker':
    case 'start a publisher while the broker is down': {
      const down = performance.now();
      const pid = ourBrokerPid(ctx.broker.stateDir);
      if (pid) process.kill(pid, 'SIGKILL');
      await waitUntil(async () => !pid || !isAlive(pid), 30_000);
      if (kind === 'start a publisher while the broker is down') {
        const extra = await fleet.startExtra('publisher');
        detail = `${extra.name} started with no broker; `;
      }
      await sleep(5_000);
      await startBroker(ctx.broker, () => undefined);
      // Healing counts from the broker's return.
      from = performance.now();
      detail += `broker down ${((from - down) / 1000).toFixed(0)} s`;
      break;
    }
  }
  const ok = await healed(ctx);
  return { kind, at, recoverySeconds: ok ? (performance.now() - from) / 1000 : undefined, detail };
}

/** Every instance ready again and ingest moving (or caught up with what was produced). */
async function healed(ctx: Context): Promise<boolean> {
  const before = await consumedSoFar(ctx.pool, ctx.group).catch(() => 0);
  return waitUntil(async () => {
    if (!(await ctx.fleet.allReady())) return false;
    const now = await consumedSoFar(ctx.pool, ctx.group);
    return now > before || now >= ctx.produced();
  }, RECOVERY_LIMIT_MS);
}

async function appendLockHolder(fleet: Fleet, pool: Pool): Promise<Instance | undefined> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const holders = await advisoryLockHolders(pool, APPEND_LOCK);
    const holder = fleet.of('ingestor').find((i) => holders.includes(`caravan-ingestor-${i.child?.process.pid}`));
    if (holder) {
      fleet.freeze(holder);
      // Still holding it once stopped: frozen with the lock.
      if ((await advisoryLockHolders(pool, APPEND_LOCK)).includes(`caravan-ingestor-${holder.child?.process.pid}`))
        return holder;
      fleet.thaw(holder);
    }
    await sleep(10);
  }
  return undefined;
}

/**
 * Sends the records at `rate` per second, each chunk again until Kafka takes it (the broker may be away); counts what
 * it sent into `expected`.
 */
async function produceAtRate(
  producer: EventProducer,
  records: Iterator<SimRecord>,
  rate: number,
  sent: { records: number },
  expected: OutcomeSummary,
): Promise<void> {
  const chunk = Math.max(1, Math.round(rate / 10));
  const started = performance.now();
  for (;;) {
    const part = take(records, chunk);
    if (part.length === 0) return;
    const due = (sent.records / rate) * 1000 - (performance.now() - started);
    if (due > 0) await sleep(due);
    for (;;) {
      try {
        await producer.sendToRoles(part);
        break;
      } catch {
        await sleep(500);
      }
    }
    sent.records += part.length;
    const counted = summarize(part);
    for (const k of ['records', 'accepted', 'duplicate', 'rejected'] as const) expected[k] += counted[k];
    for (const [code, n] of Object.entries(counted.rejectedByCode))
      expected.rejectedByCode[code as keyof OutcomeSummary['rejectedByCode']] =
        (expected.rejectedByCode[code as keyof OutcomeSummary['rejectedByCode']] ?? 0) + n;
  }
}

function take<T>(items: Iterator<T>, n: number): T[] {
  const out: T[] = [];
  while (out.length < n) {
    const next = items.next();
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}

async function eventsOnce(pool: Pool): Promise<Check> {
  const { rows } = await pool.query<{ n: string; ids: string }>(
    'SELECT count(*)::text AS n, count(DISTINCT event_id)::text AS ids FROM events',
  );
  const row = rows[0];
  return {
    name: 'each accepted eventId stored once',
    ok: row?.n === row?.ids,
    detail: `${row?.n} events, ${row?.ids} eventIds`,
  };
}

/** Every latest whole-market arrivals snapshot equals SQL over the events up to its own position. */
async function snapshotsAtTheirPosition(pool: Pool, config: CaravanConfig): Promise<Check> {
  const { rows } = await pool.query<{
    key: string;
    s: { value: number; from: string; asOf: string; position: number };
  }>(`SELECT key, snapshot AS s FROM kpi_latest WHERE kpi = 'arrivals' AND scope_key = '*'`);
  const wrong: string[] = [];
  for (const { key, s } of rows) {
    const truth = Number(
      (
        await pool.query<{ n: string }>(
          `SELECT coalesce(sum((data->>'travelers')::bigint), 0)::text AS n FROM events
         WHERE type = 'ArrivalRecorded' AND position <= $4
           AND (occurred_at AT TIME ZONE $1)::date BETWEEN $2::date AND $3::date`,
          [config.timeZone, s.from.slice(0, 10), s.asOf.slice(0, 10), s.position],
        )
      ).rows[0]?.n,
    );
    if (truth !== s.value) wrong.push(`${key}: ${s.value} vs SQL ${truth}`);
  }
  return {
    name: 'every latest arrivals snapshot equals SQL at its position',
    ok: rows.length > 0 && wrong.length === 0,
    detail: wrong.join('; ') || `${rows.length} windows`,
  };
}

/** The DLQ topic holds every rejection (at least once), identified by its source. */
async function dlqHoldsEveryRejection(pool: Pool, config: CaravanConfig, topic: string): Promise<Check> {
  const { rows } = await pool.query<{ source: string }>(
    `SELECT source_topic || ':' || source_partition || ':' || source_offset AS source FROM rejections`,
  );
  const wanted = new Set(rows.map((r) => r.source));
  const seen = new Set<string>();
  const kafka = createKafka({ ...kafkaConnection(config.kafka), clientId: 'chaos-dlq-check' });
  const onTopic = await recordsOnTopics(config, [topic]);
  const consumer = kafka.consumer({ groupId: `${topic}-check-${randomBytes(3).toString('hex')}` });
  let read = 0;
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      read += 1;
      const h = message.headers ?? {};
      seen.add(
        `${h[DLQ_HEADERS.topic]?.toString()}:` +
          `${h[DLQ_HEADERS.partition]?.toString()}:${h[DLQ_HEADERS.offset]?.toString()}`,
      );
    },
  });
  await waitUntil(async () => read >= onTopic, 120_000);
  await consumer.disconnect();
  const missing = [...wanted].filter((s) => !seen.has(s));
  return {
    name: 'the DLQ holds every rejection',
    ok: missing.length === 0,
    detail:
      `${wanted.size} rejections, ${read} DLQ records (at least once)` +
      `${missing.length ? `; missing ${missing.slice(0, 5).join(', ')}` : ''}`,
  };
}

function summarizeFaults(results: FaultResult[]): Array<{
  kind: FaultKind;
  count: number;
  p50Seconds: number | undefined;
  maxSeconds: number | undefined;
  unhealed: number;
}> {
  const kinds = [...new Set(results.map((r) => r.kind))];
  return kinds.map((kind) => {
    const times = results
      .filter((r) => r.kind === kind && r.recoverySeconds !== undefined)
      .map((r) => r.recoverySeconds as number)
      .sort((a, b) => a - b);
    return {
      kind,
      count: results.filter((r) => r.kind === kind).length,
      p50Seconds: times.length ? (times[Math.floor((times.length - 1) / 2)] as number) : undefined,
      maxSeconds: times.length ? (times[times.length - 1] as number) : undefined,
      unhealed: results.filter((r) => r.kind === kind && r.recoverySeconds === undefined).length,
    };
  });
}

function renderFaultTable(results: FaultResult[]): string {
  const rows = summarizeFaults(results);
  const fmt = (s: number | undefined) => (s === undefined ? '—' : `${s.toFixed(1)} s`);
  const lines = [
    ['fault', 'count', 'recovery p50', 'max', 'unhealed'],
    ...rows.map((r) => [r.kind, String(r.count), fmt(r.p50Seconds), fmt(r.maxSeconds), String(r.unhealed)]),
  ];
  const widths = lines[0]?.map((_, c) => Math.max(...lines.map((l) => (l[c] as string).length))) ?? [];
  return lines
    .map(
      (l, i) =>
        l
          .map((cell, c) => (c === 0 ? cell.padEnd(widths[c] as number) : cell.padStart(widths[c] as number)))
          .join('  ') + (i === 0 ? `\n${widths.map((w) => '─'.repeat(w)).join('  ')}` : ''),
    )
    .join('\n');
}

/** Every app's RSS every 5 s from `from` on (a performance.now() moment). */
class RssSampler {
  private readonly samples: Array<{ at: number; rss: Record<string, number> }> = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly fleet: Fleet,
    private readonly from: number,
  ) {
    this.timer = setInterval(() => {
      if (performance.now() >= this.from) this.samples.push({ at: performance.now(), rss: this.fleet.rss() });
    }, 5_000);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Each app's peak RSS over the first and over the last `windowMs` of the samples. */
  peaks(windowMs: number): { start: Record<string, number>; end: Record<string, number> } {
    const first = this.samples[0]?.at ?? 0;
    const last = this.samples[this.samples.length - 1]?.at ?? 0;
    const peak = (inWindow: (at: number) => boolean) => {
      const out: Record<string, number> = {};
      for (const { at, rss } of this.samples)
        if (inWindow(at)) for (const [n, mb] of Object.entries(rss)) out[n] = Math.max(out[n] ?? 0, mb);
      return out;
    };
    return { start: peak((at) => at <= first + windowMs), end: peak((at) => at >= last - windowMs) };
  }
}

/** The end-to-end rate of the last `npm run bench` (bench-results/latest.json). */
function lastBenchRate(): number {
  const file = 'bench-results/latest.json';
  if (!existsSync(file)) throw new Error('no bench-results/latest.json: run `npm run bench` first, or give --rate');
  const results = JSON.parse(readFileSync(file, 'utf8')) as { rows?: Array<{ figure: string; value: number }> };
  const row = results.rows?.find((r) => r.figure.startsWith('Caravan end to end'));
  if (!row) throw new Error('bench-results/latest.json has no end-to-end figure: give --rate');
  return row.value;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`chaos: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
