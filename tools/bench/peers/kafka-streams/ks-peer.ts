/**
 * The Kafka Streams peer of `npm run bench`: KafkaStreamsPeer.java, built with Maven once per
 * source hash, run as its own JVM over the very topics Caravan consumed (the workload and the
 * latency run's records), exactly-once v2. Timed from spawn until its group has consumed every
 * input and internal record and its compacted output holds every record's outcome; then stopped,
 * and its output (the last value of each key) compared with Caravan's read models and ingest
 * totals for the same records.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  copyFileSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Admin, Consumer } from 'kafkajs';
import type { Pool } from 'pg';
import type { CaravanConfig } from '@caravan/config';
import { createKafka, ensureTopics, kafkaConnection } from '@caravan/kafka';
import { DEFAULT_RATES, projected } from '@caravan/simulator';
import { requireJava, requireMaven, runCommand } from '@caravan/stack';
import { cpuSeconds, cpuSecondsOfAll, peakRssMb } from '../../process-stats';
import type { PeerResult } from '../peer-result';
import { recordsOnTopics } from '../../workload';

const SOURCE = __dirname;
const PARTITIONS = 6;
/** The peer's maximum heap (RocksDB's memory comes on top). */
const HEAP = '512m';
const POLL_MS = 500;
const LIMITS = { startupMs: 180_000, stallMs: 60_000, stopMs: 60_000, drainMs: 60_000 };

export type KafkaStreamsInput = {
  config: CaravanConfig;
  /** The inbound topics Caravan consumed (bookings, arrivals, media). */
  topics: { bookings: string; arrivals: string; media: string };
  /** Caravan's database after it consumed the same topics: the read models and ingest totals to equal. */
  caravan: Pool;
  log: (line: string) => void;
  /** Leaves its topics and groups (`npm run bench -- --keep`). */
  keep?: boolean;
};

export type KafkaStreamsResult = PeerResult & {
  records: number;
  /** The broker's CPU seconds while the peer ran (repartition and changelog topics, transactions). */
  brokerCpuSeconds: number;
  /** Spawn to the state RUNNING (JVM start, group join, task assignment). */
  startupSeconds: number;
  /** Maven build of the peer (0 when the jar of these sources was already built). */
  buildSeconds: number;
};

/**
 * The peer's jar for the current sources: `.caravan/kafka-streams-peer/<hash>/peer.jar`, built by
 * Maven (its TopologyTestDriver test included) when these sources have not been built yet.
 */
export async function ensurePeerJar(
  stateDir: string,
  log: (line: string) => void,
): Promise<{ jar: string; seconds: number }> {
  const hash = sourceHash();
  const root = resolve(stateDir, 'kafka-streams-peer');
  const dir = join(root, hash);
  const jar = join(dir, 'peer.jar');
  if (existsSync(jar)) return { jar, seconds: 0 };
  requireJava();
  requireMaven();
  const started = performance.now();
  log(`kafka-streams: building the peer with Maven (${hash}, once per source change)…`);
  const build = join(dir, 'build');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await runCommand('mvn', [
    '-q',
    '-B',
    '-Dstyle.color=never',
    '-f',
    join(SOURCE, 'pom.xml'),
    `-Dks.buildDirectory=${build}`,
    'package',
  ]);
  copyFileSync(join(build, 'kafka-streams-peer.jar'), `${jar}.tmp`);
  renameSync(`${jar}.tmp`, jar);
  rmSync(build, { recursive: true, force: true });
  // Jars of earlier sources are of no further use.
  for (const other of readdirSync(root))
    if (other !== hash) rmSync(join(root, other), { recursive: true, force: true });
  return { jar, seconds: (performance.now() - started) / 1000 };
}

/** sha256 over the pom and every source file, by relative path: a new hash whenever the peer changes. */
function sourceHash(): string {
  const files: string[] = [join(SOURCE, 'pom.xml')];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(join(SOURCE, 'src'));
  const hash = createHash('sha256');
  for (const file of files.sort())
    hash
      .update(`${relative(SOURCE, file)}\0`)
      .update(readFileSync(file))
      .update('\0');
  return hash.digest('hex').slice(0, 16);
}

export async function benchKafkaStreams(input: KafkaStreamsInput): Promise<KafkaStreamsResult> {
  const { config, log } = input;
  const build = await ensurePeerJar(config.stack.stateDir, log);
  const id = randomBytes(3).toString('hex');
  const appId = `caravan-bench-ks-${id}`;
  const output = `${appId}.daily`;
  const inputs = [input.topics.bookings, input.topics.arrivals, input.topics.media];
  const kafka = createKafka({ ...kafkaConnection(config.kafka), clientId: appId });
  const admin = kafka.admin();
  await admin.connect();
  const stateDir = mkdtempSync(join(tmpdir(), 'caravan-ks-state-'));
  const logFile = join(tmpdir(), `caravan-ks-peer-${id}.log`);
  const reader = new OutputReader(kafka.consumer({ groupId: `${appId}-reader`, readUncommitted: false }), output);
  let child: ChildProcess | undefined;
  let ok = false;
  try {
    const records = await recordsOnTopics(config, inputs);
    await ensureTopics(admin, [
      { topic: output, numPartitions: PARTITIONS, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
    ]);
    await reader.start();
    log(`kafka-streams: ${records} records of ${inputs.join(', ')}, application ${appId}, -Xmx${HEAP}, 2 threads`);
    const javaCpuBefore = cpuSecondsOfAll('java');
    const started = performance.now();
    const peer = spawnPeer(
      build.jar,
      {
        KAFKA_BROKERS: config.kafka.brokers.join(','),
        KS_APP_ID: appId,
        KS_TOPIC_BOOKINGS: input.topics.bookings,
        KS_TOPIC_ARRIVALS: input.topics.arrivals,
        KS_TOPIC_MEDIA: input.topics.media,
        KS_OUTPUT_TOPIC: output,
        KS_STATE_DIR: stateDir,
        TIME_ZONE: config.timeZone,
        KS_RATES_JSON: JSON.stringify(DEFAULT_RATES),
        KS_THREADS: '2',
        KS_COMMIT_MS: '100',
      },
      logFile,
    );
    child = peer.child;
    const doneAt = await untilCaughtUp(admin, appId, inputs, output, records, reader, peer, logFile);
    const pid = child.pid as number;
    const peerCpu = cpuSeconds(pid);
    const rss = peakRssMb(pid);
    const brokerCpu = cpuSecondsOfAll('java') - javaCpuBefore - peerCpu;
    await stopPeer(child, logFile);
    // Stopped: every transaction is committed or aborted, so the output can be read to its end.
    await reader.drain(await partitionEnds(admin, output));
    const check = await compareWithCaravan(input.caravan, inputs, reader, records);
    ok = check.ok;
    const seconds = (doneAt - started) / 1000;
    const startupSeconds = ((peer.runningAt ?? doneAt) - started) / 1000;
    return {
      name: 'Kafka Streams 3.9 (exactly_once_v2, RocksDB stores)',
      events: records,
      records,
      seconds,
      eventsPerSecond: records / seconds,
      cpuSeconds: peerCpu,
      peakRssMb: rss,
      brokerCpuSeconds: Math.max(0, brokerCpu),
      startupSeconds,
      buildSeconds: build.seconds,
      check: {
        ok: check.ok,
        detail:
          `${Math.round(records / Math.max(0.001, seconds - startupSeconds))}/s after RUNNING ` +
          `(${startupSeconds.toFixed(1)} s start-up); ${check.detail}`,
      },
    };
  } finally {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((done) => child?.once('exit', done));
      child.kill('SIGKILL');
      // Its group has a member, and RocksDB its files, until the JVM is gone.
      await Promise.race([exited, new Promise((done) => setTimeout(done, 10_000))]);
    }
    await reader.stop();
    if (input.keep) log(`kafka-streams: kept its topics ${output} and ${appId}-*, groups ${appId}(-reader)`);
    else {
      const internal = (await admin.listTopics().catch(() => [] as string[])).filter((t) => t.startsWith(`${appId}-`));
      await admin.deleteTopics({ topics: [output, ...internal] }).catch(() => undefined);
      await admin.deleteGroups([appId, `${appId}-reader`]).catch(() => undefined);
    }
    await admin.disconnect().catch(() => undefined);
    try {
      rmSync(stateDir, { recursive: true, force: true });
    } catch {
      log(`kafka-streams: could not remove its state directory ${stateDir}`);
    }
    if (ok) rmSync(logFile, { force: true });
    else log(`kafka-streams: the peer's log is kept in ${logFile}`);
  }
}

type Peer = { child: ChildProcess; runningAt?: number; failure?: string };

function spawnPeer(jar: string, env: Record<string, string>, logFile: string): Peer {
  const child = spawn('java', [`-Xmx${HEAP}`, '-jar', jar], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const peer: Peer = { child };
  const log = createWriteStream(logFile);
  // A log that cannot be written is no reason to stop the bench.
  log.on('error', () => undefined);
  // No java to spawn (the jar was built earlier): a failure of the peer, not of the bench.
  child.on('error', (error) => (peer.failure ??= `java could not be started: ${error.message}`));
  child.stderr?.pipe(log);
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    log.write(chunk);
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line === 'ks-peer state RUNNING') peer.runningAt ??= performance.now();
      if (line === 'ks-peer state ERROR') peer.failure = 'the Kafka Streams client went into state ERROR';
    }
  });
  child.once('exit', (code, signal) => (peer.failure ??= `the peer exited (${signal ?? code})`));
  // Its output may still be flowing at 'exit': the log ends once stdout and stderr have closed.
  child.once('close', () => log.end());
  return peer;
}

async function stopPeer(child: ChildProcess, logFile: string): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM'); // the shutdown hook closes the client, committing its last transaction
  const timer = setTimeout(() => child.kill('SIGKILL'), LIMITS.stopMs);
  await exited;
  clearTimeout(timer);
  if (child.signalCode === 'SIGKILL')
    throw new Error(`the peer did not stop within ${LIMITS.stopMs / 1000} s; log: ${logFile}`);
}

/**
 * Resolves at the first of two polls in a row that find the group's offsets at the end of every
 * input and internal topic (a transactional topic ends with a commit marker: within 1), the output
 * read to its end and holding an outcome for every record, and nothing new in between.
 */
async function untilCaughtUp(
  admin: Admin,
  appId: string,
  inputs: string[],
  output: string,
  records: number,
  reader: OutputReader,
  peer: Peer,
  logFile: string,
): Promise<number> {
  const started = performance.now();
  let lastProgress = started;
  let lastState = '';
  let candidate: { at: number; state: string } | undefined;
  let lastError = '';
  let running = false;
  for (;;) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    if (peer.failure) throw new Error(`kafka-streams peer: ${peer.failure}; log: ${logFile}\n${tail(logFile)}`);
    const now = performance.now();
    const polled = await poll().then(
      (p) => p,
      (error: Error) => {
        // A topic the peer just created has no leader yet, a metadata refresh: the next poll tells.
        lastError = error.message;
        return undefined;
      },
    );
    if (polled) {
      const { state, done } = polled;
      if (state !== lastState) lastProgress = now;
      lastState = state;
      if (!done) candidate = undefined;
      else if (candidate?.state === state) return candidate.at;
      else candidate = { at: now, state };
    }
    // The stall limit counts from RUNNING at the earliest, not from spawn.
    if (peer.runningAt !== undefined && !running) {
      running = true;
      lastProgress = Math.max(lastProgress, peer.runningAt);
    }
    const limit = running ? LIMITS.stallMs : LIMITS.startupMs;
    if (now - lastProgress > limit)
      throw new Error(
        `kafka-streams peer: nothing new for ${limit / 1000} s (${reader.outcomeTotal()} of ${records} ` +
          `outcomes${lastError ? `; last poll: ${lastError}` : ''}); log: ${logFile}\n${tail(logFile)}`,
      );
  }

  async function poll(): Promise<{ state: string; done: boolean }> {
    const internal = (await admin.listTopics()).filter((t) => t.startsWith(`${appId}-`) && t.endsWith('-repartition'));
    const topics = [...inputs, ...internal];
    const committed = await admin.fetchOffsets({ groupId: appId, topics });
    const ends = new Map<string, Map<number, number>>();
    for (const topic of [...topics, output]) ends.set(topic, await partitionEnds(admin, topic));
    const behind = committed.flatMap(({ topic, partitions }) =>
      partitions.filter((p) => Number(p.offset) < (ends.get(topic)?.get(p.partition) ?? 0) - 1),
    ).length;
    const outputEnds = ends.get(output) ?? new Map<number, number>();
    const outputBehind = [...outputEnds].filter(([p, end]) => reader.next(p) < end - 1).length;
    const outcomes = reader.outcomeTotal();
    const state = JSON.stringify([committed, [...outputEnds], outcomes]);
    return { state, done: internal.length === 3 && behind === 0 && outputBehind === 0 && outcomes === records };
  }
}

async function partitionEnds(admin: Admin, topic: string): Promise<Map<number, number>> {
  return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
}

/** The compacted output read as a table (the last value of each key), read_committed. */
class OutputReader {
  readonly rows = new Map<string, string>();
  /** Per partition, the offset after the last record or control marker read. */
  private readonly nextOffset = new Map<number, number>();

  constructor(
    private readonly consumer: Consumer,
    private readonly topic: string,
  ) {}

  async start(): Promise<void> {
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const offset = Number(payload.lastOffset) + 1;
      if (offset > (this.nextOffset.get(payload.partition) ?? 0)) this.nextOffset.set(payload.partition, offset);
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) if (m.key) this.rows.set(m.key.toString(), m.value?.toString() ?? '');
      },
    });
  }

  next(partition: number): number {
    return this.nextOffset.get(partition) ?? 0;
  }

  outcomeTotal(): number {
    let n = 0;
    for (const [key, value] of this.rows) if (key.startsWith('outcomes|')) n += Number(value);
    return n;
  }

  /** Waits until every partition is read to `ends` (the producer stopped: nothing open remains). */
  async drain(ends: Map<number, number>): Promise<void> {
    const deadline = performance.now() + LIMITS.drainMs;
    while ([...ends].some(([p, end]) => this.next(p) < end)) {
      if (performance.now() > deadline)
        throw new Error(
          `kafka-streams peer: its output could not be read to its end within ${LIMITS.drainMs / 1000} s`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect().catch(() => undefined);
  }
}

/**
 * The peer's rows (all-zero rows dropped: a cancellation moved to an earlier one leaves its first
 * row at zero) against Caravan's read models, column by column, and its outcomes against
 * Caravan's ingest totals for the same topics.
 */
async function compareWithCaravan(
  pool: Pool,
  inputs: string[],
  reader: OutputReader,
  records: number,
): Promise<{ ok: boolean; detail: string }> {
  const tables = await projected(pool);
  const caravan = new Map<string, string>();
  const put = (table: string, rows: Array<Record<string, string>>, dims: string[], measures: string[]): void => {
    for (const r of rows) {
      const value = measures.map((m) => r[m]).join(',');
      if (/[1-9]/.test(value)) caravan.set([table, r.day, ...dims.map((d) => r[d])].join('|'), value);
    }
  };
  put('arrivals_daily', tables.arrivals, ['nationality', 'port', 'purpose', 'destination'], ['travelers', 'events']);
  put('media_daily', tables.media, ['platform', 'campaign', 'market'], ['views', 'reports']);
  put(
    'bookings_daily',
    tables.bookings,
    ['market', 'destination', 'channel'],
    ['bookings', 'travelers', 'revenue_cents', 'cancellations', 'cancelled_cents'],
  );
  const peer = new Map([...reader.rows].filter(([k, v]) => !k.startsWith('outcomes|') && /[1-9]/.test(v)));
  const differing = [...new Set([...caravan.keys(), ...peer.keys()])].filter((k) => caravan.get(k) !== peer.get(k));

  const { rows } = await pool.query<{ outcome: string; code: string; n: string }>(
    `SELECT outcome, code, sum(count)::text AS n FROM ingest_totals WHERE topic = ANY($1) GROUP BY 1, 2`,
    [inputs],
  );
  const expected = new Map<string, number>();
  for (const r of rows) {
    if (r.outcome === 'consumed') continue;
    const key = r.outcome === 'rejected' ? r.code : r.outcome;
    expected.set(key, (expected.get(key) ?? 0) + Number(r.n));
  }
  const outcomes = new Map(
    [...reader.rows].filter(([k]) => k.startsWith('outcomes|')).map(([k, v]) => [k.slice(9), Number(v)]),
  );
  const outcomeDiffs = [...new Set([...expected.keys(), ...outcomes.keys()])].filter(
    (k) => (expected.get(k) ?? 0) !== (outcomes.get(k) ?? 0),
  );
  const show = (m: Map<string, number>) =>
    [...m]
      .sort()
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
  const problems = [
    ...differing.slice(0, 3).map((k) => `${k}: Caravan ${caravan.get(k) ?? '-'}, peer ${peer.get(k) ?? '-'}`),
    differing.length > 3 ? `${differing.length} rows differ in all` : '',
    outcomeDiffs.length ? `outcomes differ: Caravan {${show(expected)}}, peer {${show(outcomes)}}` : '',
  ].filter(Boolean);
  const summary =
    `${records} records: ${show(outcomes)}; ${peer.size} daily rows` +
    (problems.length ? '' : ", every one equal to Caravan's read models, every outcome to its ingest totals");
  return { ok: problems.length === 0, detail: [summary, ...problems].join('; ') };
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
