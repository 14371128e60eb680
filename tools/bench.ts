/**
 * `npm run bench [-- --events N --preload N --peer-events N --latency-seconds S --latency-load 0.7
 * --codec-records N --stream-subscribers N --skip peers,kafka-streams,rebuild,scale,compression,streams --out file]`:
 * one run, one workload, every figure side by side (raw limits, Caravan end to end, peers,
 * latency, rebuild, scale, KAFKA_COMPRESSION, the live stream's fan-out), each run checked for
 * correctness. Prints one table and writes JSON.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { Pool } from 'pg';
import { loadConfig, type CaravanConfig } from '@caravan/config';
import { createPool, dropDatabase, ensureDatabase, migrate, withDatabase } from '@caravan/database';
import { buildApps, spawnApp, stackDown, stackUp } from '@caravan/stack';
import { runCaravan, stopApps, type Check } from './bench/caravan-run';
import { measureSnapshotCompute } from './bench/snapshot-compute';
import { measureLatency } from './bench/latency';
import { compareCompressions } from './bench/compression';
import { measureStreamFanOut } from './bench/streams';
import { copyIntoTable, kafkajsConsume, parseAndValidate } from './bench/raw-limits';
import { ingestWith, rebuildAll } from './bench/rebuild-and-scale';
import { type BenchRow, renderTable } from './bench/report';
import { deleteTopics, prepareWorkload, produceItems, recordsOnTopics, type Workload } from './bench/workload';

const log = (line: string): void => void process.stdout.write(`${line}\n`);

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    'peer-events': { type: 'string', default: '100000' },
    'latency-seconds': { type: 'string', default: '20' },
    'latency-load': { type: 'string', default: '0.7' },
    /** The publisher's SNAPSHOT_INTERVAL_MS during the latency run. */
    'latency-interval-ms': { type: 'string', default: '100' },
    /** Records produced and read back with each KAFKA_COMPRESSION (from the workload). */
    'codec-records': { type: 'string', default: '100000' },
    /** The live stream measured with 1 subscriber, then with this many. */
    'stream-subscribers': { type: 'string', default: '1000' },
    /** Events in the event store before the timed run (the workload's copied into earlier years). */
    preload: { type: 'string', default: '0' },
    skip: { type: 'string', default: '' },
    out: { type: 'string', default: 'bench-results/latest.json' },
    /** Keeps the databases and topics of a run whose checks failed, to look into them. */
    'keep-on-failure': { type: 'boolean', default: false },
    /** Keeps them whatever the checks say (to profile queries on the stored events afterwards). */
    keep: { type: 'boolean', default: false },
  },
});

/** What a run created, named for --keep-on-failure. */
const kept: string[] = [];
const stops: Array<() => Promise<void>> = [];

async function freshDatabase(config: CaravanConfig): Promise<{ url: string; pool: Pool; drop: () => Promise<void> }> {
  const name = `caravan_bench_${randomBytes(3).toString('hex')}`;
  const url = withDatabase(config.database.url, name);
  await ensureDatabase(url);
  kept.push(`database ${name}`);
  const pool = createPool({ url, poolSize: 4, applicationName: 'caravan-bench' });
  await migrate(pool);
  return {
    url,
    pool,
    drop: async () => {
      await pool.end();
      await dropDatabase(config.database.url, name);
    },
  };
}

async function main(): Promise<number> {
  const events = Number(args.events);
  const peerEvents = Math.min(events, Number(args['peer-events']));
  const skip = new Set((args.skip ?? '').split(',').filter(Boolean));
  const config = loadConfig('tool');
  const { startedKafka } = await stackUp(config, log, { createDatabase: false });
  const rows: BenchRow[] = [];
  const checks: Check[] = [];
  const cleanup: Array<() => Promise<void>> = [];
  const results: Record<string, unknown> = {};
  try {
    log('building the apps (they run as processes, as in production)…');
    buildApps();
    const workload = await prepareWorkload(config, events, log);
    cleanup.push(() => deleteTopics(config, workload.topics));
    kept.push(`topics ${workload.id}.*`);

    log('raw limits…');
    const consume = await kafkajsConsume(config, workload);
    const validate = parseAndValidate(workload);
    const raw = await freshDatabase(config);
    cleanup.push(raw.drop);
    const copy = await copyIntoTable(raw.pool, workload);

    const db = await freshDatabase(config);
    cleanup.push(db.drop);
    const preloadCount = Number(args.preload);
    if (preloadCount > 0) {
      log(`preloading the event store with ${preloadCount} events (not timed)…`);
      const { preloadStore } = await import('./bench/preload');
      const preload = await preloadStore(db.pool, workload.events, preloadCount, config, log);
      rows.push({
        figure: `preload: ${preload.events} events appended before the run`,
        value: preload.events / preload.appendSeconds,
        unit: 'events/s',
        detail:
          `appendEvents, 5,000 per transaction, ${preload.appendSeconds.toFixed(0)} s; every projection rebuilt ` +
          `over them in ${preload.rebuildSeconds.toFixed(0)} s`,
      });
      Object.assign(results, { preload });
    }
    log(`caravan end to end, from ${preloadCount > 0 ? `${preloadCount} events stored` : 'empty'}…`);
    const { run, apps, env } = await runCaravan(config, db.pool, db.url, workload, log);
    cleanup.push(() => stopApps(apps));
    stops.push(() => stopApps(apps));
    checks.push(...run.checks);
    const e2eRate = workload.records / run.snapshotSeconds;

    const load = Number(args['latency-load']);
    log(
      `latency at ${Math.round(load * 100)}% of ${Math.round(e2eRate)} records/s ` +
        `for ${args['latency-seconds']} s (SNAPSHOT_INTERVAL_MS=${args['latency-interval-ms']})…`,
    );
    const publisher = apps.pop();
    await stopApps(publisher ? [publisher] : []);
    apps.push(spawnApp('publisher', { ...env, SNAPSHOT_INTERVAL_MS: args['latency-interval-ms'] }));
    const latency = await measureLatency(
      config,
      db.pool,
      workload,
      Math.round(load * e2eRate),
      Number(args['latency-seconds']),
      Object.fromEntries(apps.map((a) => [a.app, a.pid])),
    );
    await stopApps(apps);

    log("the publisher's computation: every window read from the tables, then the kept day sums…");
    const compute = await measureSnapshotCompute(db.pool, config.timeZone);
    checks.push({
      name: 'the kept day sums give the snapshots reading every window gives',
      ok: compute.equal,
      detail: `${compute.snapshots} snapshots, ${compute.equal ? 'equal' : 'DIFFERENT'} in each of 15 rounds`,
    });

    // `--skip rebuild`: a preloaded store of millions of events takes minutes to rebuild.
    let rebuild: Awaited<ReturnType<typeof rebuildAll>> | undefined;
    if (!skip.has('rebuild')) {
      log('rebuilding every projection from the event store…');
      rebuild = await rebuildAll(db.pool, config);
      checks.push({
        name: 'rebuilt projections equal the live ones',
        ok: rebuild.perProjection.every((p) => p.differingRows === 0),
        detail: rebuild.perProjection.map((p) => `${p.name} ${p.differingRows}`).join(', '),
      });
    }

    const caravanRow = (figure: string, perSecond: number, detail = ''): BenchRow => ({
      figure,
      value: perSecond,
      unit: 'records/s',
      ratio: perSecond / e2eRate,
      detail,
    });
    rows.push(
      {
        figure: `Caravan end to end (${preloadCount > 0 ? `${preloadCount} events stored` : 'empty'} → last record in a published snapshot)`,
        value: e2eRate,
        unit: 'records/s',
        ratio: 1,
        detail: `${workload.records} records in ${run.snapshotSeconds.toFixed(1)} s, exactly once`,
      },
      caravanRow(
        '  Caravan ingest (all records stored or rejected)',
        workload.records / run.ingestSeconds,
        `${run.ingestSeconds.toFixed(1)} s from process start; ` +
          `${Math.round(run.steadyIngestPerSecond)}/s after the first batch`,
      ),
      caravanRow(
        '  Caravan projections caught up',
        workload.records / run.projectedSeconds,
        `${run.projectedSeconds.toFixed(1)} s from start`,
      ),
      caravanRow('raw: kafkajs consume, no processing', consume.perSecond, consume.detail),
      caravanRow('raw: JSON parse + zod validation', validate.perSecond, validate.detail),
      caravanRow('raw: COPY into a table', copy.perSecond, `${workload.events.length} events; ${copy.detail}`),
      ...(rebuild
        ? [
            {
              figure: 'rebuild, every projection from the event store',
              value: (rebuild.events * rebuild.perProjection.length) / rebuild.seconds,
              unit: 'events/s',
              detail: rebuild.perProjection.map((p) => `${p.name} ${Math.round(p.eventsPerSecond)}/s`).join(', '),
            },
          ]
        : []),
      {
        figure: `event → snapshot latency p50 / p95 / p99 at ${latency.rate}/s`,
        value: latency.p99,
        unit: 'ms (p99)',
        detail:
          `p50 ${latency.p50} ms, p95 ${latency.p95} ms, p99 ${latency.p99} ms, ` +
          `max ${latency.max} ms; produced → stored p50 ${latency.toStore.p50} ms, ` +
          `p99 ${latency.toStore.p99} ms, stored → snapshot run p50 ${latency.storedToSnapshot.p50} ms, ` +
          `p99 ${latency.storedToSnapshot.p99} ms; ${latency.runs.count} publisher runs published while ` +
          `the traffic ran, one every ` +
          `${latency.runs.periodP50} ms (p99 ${latency.runs.periodP99} ms), ${latency.runs.snapshotsP50} ` +
          `snapshots each (p50); ${latency.samples} events (${latency.uncovered} changed ` +
          `no KPI: no snapshot covers them)`,
      },
      {
        figure: "publisher's computation: every window read vs kept day sums",
        value: compute.keptMs,
        unit: 'ms',
        ratio: compute.fullMs / compute.keptMs,
        detail:
          `median of 15: every window from the daily tables ${compute.fullMs.toFixed(1)} ms, the kept sums after ` +
          `the watermark's day was written ${compute.keptMs.toFixed(1)} ms (${compute.daysRead} days read again), ` +
          `${compute.snapshots} snapshots`,
      },
      {
        figure: '  CPU while the latency traffic ran (share of the cores)',
        value: (100 * latencyCpu(latency.cpu)) / (cpus().length * latency.cpu.wallSeconds),
        unit: '%',
        detail:
          `${Object.entries(latency.cpu.apps)
            .map(([app, s]) => `${app} ${s.toFixed(1)}`)
            .join(', ')}, PostgreSQL ${latency.cpu.postgres.toFixed(1)}, broker ` +
          `${latency.cpu.kafka.toFixed(1)}, the bench's producer ${latency.cpu.producer.toFixed(1)} CPU s ` +
          `in ${latency.cpu.wallSeconds.toFixed(1)} s`,
      },
    );
    for (const a of run.apps)
      rows.push({
        figure: `  ${a.app}: CPU seconds / peak RSS`,
        value: a.peakRssMb,
        unit: 'MiB',
        detail: `${a.cpuSeconds.toFixed(1)} CPU s`,
      });
    const sv = run.services;
    const budget = cpus().length * sv.wallSeconds;
    const allCpuSeconds = run.apps.reduce((n, a) => n + a.cpuSeconds, 0) + sv.postgresCpuSeconds + sv.kafkaCpuSeconds;
    rows.push({
      figure: '  PostgreSQL / Kafka broker: CPU seconds',
      value: sv.postgresCpuSeconds,
      unit: 'CPU s',
      detail:
        `Kafka ${sv.kafkaCpuSeconds.toFixed(1)} CPU s; all of it with the apps: ${allCpuSeconds.toFixed(1)} ` +
        `of ${budget.toFixed(1)} CPU s (${cpus().length} cores × ${sv.wallSeconds.toFixed(1)} s)`,
    });
    // The per-record CPU budget: µs of CPU per record consumed, by process, PostgreSQL's by whose sessions.
    const perRecord = (seconds: number): string => ((seconds * 1e6) / workload.records).toFixed(1);
    const pgByWho = Object.entries(sv.postgresByWho).sort(([, a], [, b]) => b - a);
    rows.push({
      figure: '  CPU per record, by process (µs)',
      value: (allCpuSeconds * 1e6) / workload.records,
      unit: 'µs',
      detail:
        `${run.apps.map((a) => `${a.app} ${perRecord(a.cpuSeconds)}`).join(', ')}, PostgreSQL ${perRecord(sv.postgresCpuSeconds)} ` +
        `(${pgByWho.map(([who, cpu]) => `${who} ${perRecord(cpu)}`).join(', ')}), broker ${perRecord(sv.kafkaCpuSeconds)}`,
    });
    const wal = sv.postgresWal;
    rows.push({
      figure: '  PostgreSQL WAL per record',
      value: wal.bytes / workload.records,
      unit: 'bytes',
      detail:
        `${(wal.bytes / 2 ** 20).toFixed(0)} MiB of WAL; ${wal.checkpointsRequested} checkpoints requested ` +
        `(max_wal_size reached), ${wal.checkpointsTimed} timed; ${wal.backendWrites} buffers written by sessions ` +
        `themselves (shared_buffers full)`,
    });
    Object.assign(results, {
      workload: { records: workload.records, expected: workload.expected, produceSeconds: workload.produceSeconds },
      raw: { consume, validate, copy },
      caravan: run,
      latency,
      rebuild,
    });

    if (!skip.has('scale')) {
      log('scale: 1 vs 2 ingestors in one group (ingest only, fresh databases)…');
      const one = await freshDatabase(config);
      cleanup.push(one.drop);
      const single = await ingestWith(1, config, one.pool, one.url, workload);
      const two = await freshDatabase(config);
      cleanup.push(two.drop);
      const double = await ingestWith(2, config, two.pool, two.url, workload);
      rows.push(
        caravanRow('scale: 1 ingestor (ingest only)', single.perSecond, `${single.seconds.toFixed(1)} s`),
        caravanRow(
          'scale: 2 ingestors, one group (ingest only)',
          double.perSecond,
          `${double.seconds.toFixed(1)} s; ${(double.perSecond / single.perSecond).toFixed(2)}x one instance`,
        ),
      );
      Object.assign(results, { scale: { single, double } });
    }
    if (!skip.has('compression')) {
      const n = Math.min(workload.records, Number(args['codec-records']));
      log(`KAFKA_COMPRESSION: ${n} records produced and read back with each codec…`);
      const codecs = await compareCompressions(config, workload, n, log);
      const none = codecs.find((c) => c.codec === 'none');
      for (const c of codecs) {
        rows.push({
          figure: `KAFKA_COMPRESSION=${c.codec}: produce / read back`,
          value: c.producePerSecond,
          unit: 'records/s',
          detail:
            `read back ${Math.round(c.consumePerSecond)}/s; ` +
            `CPU ${c.produceCpuSeconds.toFixed(1)} + ${c.consumeCpuSeconds.toFixed(1)} s` +
            (c.bytes === undefined
              ? ''
              : `; ${(c.bytes / 2 ** 20).toFixed(1)} MiB on the broker` +
                (none?.bytes ? ` (${((c.bytes / none.bytes) * 100).toFixed(0)}% of none)` : '')),
        });
      }
      Object.assign(results, { compression: codecs });
    }
    if (!skip.has('streams')) {
      const many = Number(args['stream-subscribers']);
      log(`the live stream: 1 subscriber, then ${many}, the same snapshot runs (100 changed snapshots each)…`);
      const streams = await freshDatabase(config);
      cleanup.push(streams.drop);
      const fanOut = await measureStreamFanOut(config, db.pool, streams, log, { counts: [1, many] });
      const one = fanOut[0];
      for (const f of fanOut) {
        rows.push({
          figure: `stream: ${f.subscribers} subscriber${f.subscribers === 1 ? '' : 's'}, api CPU per snapshot run`,
          value: f.apiCpuSecondsPerRun * 1000,
          unit: 'ms',
          detail:
            (one && f !== one
              ? `${(f.apiCpuSecondsPerRun / one.apiCpuSecondsPerRun).toFixed(1)}x one subscriber's; `
              : '') +
            `${f.sharedReadsPerRun.toFixed(2)} shared history reads per run, ` +
            `${f.subscriberReads} of subscribers' own; ` +
            `${f.kibPerSubscriberPerRun.toFixed(1)} KiB to each subscriber per run; ` +
            `every subscriber had a run p50 ${f.deliveredP50Ms.toFixed(0)} ms, ` +
            `max ${f.deliveredMaxMs.toFixed(0)} ms after its commit; api RSS ${f.apiRssMb} MiB` +
            (f.refusedStreams ? `; ${f.refusedStreams} stream requests refused and retried` : ''),
        });
      }
      Object.assign(results, { streams: fanOut });
    }
    if (!skip.has('kafka-streams') && preloadCount > 0)
      log('peer: Kafka Streams left out: with --preload, Caravan holds events that are on no topic');
    else if (!skip.has('kafka-streams')) {
      log('peer: Kafka Streams over the topics Caravan consumed (the workload and the latency run)…');
      const { benchKafkaStreams } = await import('./bench/peers/kafka-streams/ks-peer');
      const ks = await benchKafkaStreams({
        config,
        topics: workload.topics,
        caravan: db.pool,
        log,
        keep: args.keep,
      }).catch((error: Error) => {
        // The rest of the run still reports: the failure is a failed check.
        checks.push({ name: 'the Kafka Streams peer ran', ok: false, detail: error.message });
        return undefined;
      });
      if (ks) {
        rows.push(
          caravanRow(
            `peer: ${ks.name}`,
            ks.eventsPerSecond,
            `${ks.records} records in ${ks.seconds.toFixed(1)} s from spawn (${ks.startupSeconds.toFixed(1)} s to ` +
              `RUNNING); ${(ks.cpuSeconds ?? 0).toFixed(1)} CPU s + broker ${ks.brokerCpuSeconds.toFixed(1)} CPU s; ` +
              `peak RSS ${Math.round(ks.peakRssMb ?? 0)} MiB`,
          ),
        );
        checks.push({
          name: `${ks.name} computed Caravan's aggregates and outcomes`,
          ok: ks.check.ok,
          detail: ks.check.detail,
        });
        Object.assign(results, { kafkaStreams: ks });
      }
    }
    if (!skip.has('peers')) await runPeers(config, workload, peerEvents, rows, checks, results, cleanup, caravanRow);
  } finally {
    const failed = checks.some((c) => !c.ok);
    if ((failed && args['keep-on-failure']) || args.keep) {
      log(`${failed ? 'a check failed: ' : ''}databases and topics kept (${[...kept].join(', ')}); apps stopped`);
      await Promise.all(stops.map((s) => s()));
    } else {
      for (const step of cleanup.reverse()) await step().catch(() => undefined);
    }
    if (startedKafka) await stackDown(config, log);
  }
  log('');
  log(renderTable(rows));
  log('');
  for (const c of checks) log(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
  const machine = {
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kafka: config.stack.kafkaVersion,
    when: new Date().toISOString(),
  };
  mkdirSync(dirname(args.out as string), { recursive: true });
  writeFileSync(args.out as string, `${JSON.stringify({ machine, rows, checks, results }, null, 2)}\n`);
  log(`results written to ${args.out}`);
  return checks.every((c) => c.ok) ? 0 : 1;
}

function latencyCpu(cpu: { apps: Record<string, number>; postgres: number; kafka: number; producer: number }): number {
  return Object.values(cpu.apps).reduce((a, b) => a + b, 0) + cpu.postgres + cpu.kafka + cpu.producer;
}

async function runPeers(
  config: CaravanConfig,
  workload: Workload,
  peerEvents: number,
  rows: BenchRow[],
  checks: Check[],
  results: Record<string, unknown>,
  cleanup: Array<() => Promise<void>>,
  caravanRow: (figure: string, perSecond: number, detail?: string) => BenchRow,
): Promise<void> {
  const { benchEmmett } = await import('./bench/peers/emmett/emmett-peer');
  const { benchTutorial } = await import('./bench/peers/tutorial/tutorial-peer');
  const sample = workload.items.slice(0, peerEvents);
  const sampleIds = new Set(
    sample.flatMap((s) => {
      try {
        return [String((JSON.parse(s.value.toString()) as { eventId?: string }).eventId)];
      } catch {
        return [];
      }
    }),
  );
  const events = workload.events.filter((e) => sampleIds.has(e.eventId));
  log(`peers on the first ${sample.length} records (${events.length} events)…`);
  const emmett = await benchEmmett({ databaseUrl: config.database.url, events, timeZone: config.timeZone, log });
  const topics = {
    bookings: `${workload.id}.t.bookings`,
    arrivals: `${workload.id}.t.arrivals`,
    media: `${workload.id}.t.media`,
    dlq: `${workload.id}.t.dlq`,
    snapshots: `${workload.id}.t.snapshots`,
  };
  await produceItems(config, topics, sample);
  cleanup.push(() => deleteTopics(config, topics));
  const onTopics = await recordsOnTopics(config, [topics.bookings, topics.arrivals, topics.media]);
  const tutorial = await benchTutorial({
    brokers: config.kafka.brokers,
    topics,
    expectedRecords: onTopics,
    databaseUrl: config.database.url,
    timeZone: config.timeZone,
    log,
  });
  for (const peer of [emmett, tutorial]) {
    rows.push({
      ...caravanRow(
        `peer: ${peer.name}`,
        peer.eventsPerSecond,
        `${peer.events} in ${peer.seconds.toFixed(1)} s` +
          `${peer.peakRssMb ? `, peak RSS ${Math.round(peer.peakRssMb)} MiB` : ''}`,
      ),
      unit: 'events/s',
    });
    checks.push({ name: `${peer.name} computed the same aggregates`, ok: peer.check.ok, detail: peer.check.detail });
  }
  Object.assign(results, { peers: { sampleRecords: sample.length, emmett, tutorial } });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${(error as Error).stack}\n`);
    process.exit(1);
  },
);
