import type { Pool } from 'pg';
import { setTimeout as delay } from 'node:timers/promises';
import { startOfLocalDay } from '@caravan/domain';
import { createPool } from '@caravan/database';
import {
  expectedKpis,
  historicTraffic,
  type OutcomeSummary,
  type SimRecord,
  seedYear,
  summarize,
  TrafficSimulator,
  type TrafficMix,
} from '@caravan/simulator';
import { DEFAULT_HISTORIC_COUNT, DEFAULT_RATE, type SimulateOptions } from '../commands/simulate';
import { CliError } from '../support/cli-error';
import { type CliContext, cliContext } from '../support/context';
import { ratesAndTargets } from '../support/expectations';
import { openProducer } from '../support/kafka-session';
import { renderKpiTable } from '../support/kpi-table';
import { onInterrupt } from '../support/interrupt';
import { fileSink, kafkaSink, type RecordSink } from '../support/produce';
import { progressBar } from '../support/progress';
import { isHeadline, waitForPublished } from '../support/verify-seed-year';

/** `caravan simulate`: live, historic or the seed year, as the options say. */
export async function simulate(options: SimulateOptions): Promise<void> {
  const context = cliContext();
  if (options.verify && (!options.seedYear || options.out))
    throw new CliError('--verify needs --seed-year and Kafka (not --out)', 2);
  if (options.seedYear) return runSeedYear(context, options);
  const historic =
    options.from !== undefined ||
    options.to !== undefined ||
    (options.count !== undefined && options.rate === undefined);
  if (historic && options.rate !== undefined)
    throw new CliError('--rate is for live traffic; drop --from/--to for live, or --rate for historic', 2);
  return historic ? runHistoric(context, options) : runLive(context, options);
}

function mixOf(options: SimulateOptions, defaults: TrafficMix): TrafficMix {
  return {
    badShare: options.badShare ?? defaults.badShare,
    duplicateShare: options.duplicateShare ?? defaults.duplicateShare,
  };
}

function seedOf(options: SimulateOptions, log: (line: string) => void): number {
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
  log(`seed ${seed} (pass --seed ${seed} to produce the same records again)`);
  return seed;
}

async function openSink(context: CliContext, options: SimulateOptions): Promise<RecordSink> {
  return options.out ? fileSink(options.out) : kafkaSink(await openProducer(context.config));
}

function parseTime(text: string, timeZone: string, flag: string): Date {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(text) ? startOfLocalDay(text, timeZone) : Date.parse(text);
  if (!Number.isFinite(ms)) throw new CliError(`${flag}: expected YYYY-MM-DD or an RFC 3339 time, got ${text}`, 2);
  return new Date(ms);
}

/** Outcome counts of everything sent so far, kept as running totals (live traffic may run for hours). */
export class Tally {
  summary: OutcomeSummary = summarize([]);

  add(records: SimRecord[]): void {
    const s = summarize(records);
    const t = this.summary;
    for (const code of Object.keys(s.rejectedByCode) as Array<keyof OutcomeSummary['rejectedByCode']>) {
      t.rejectedByCode[code] = (t.rejectedByCode[code] ?? 0) + (s.rejectedByCode[code] ?? 0);
    }
    this.summary = {
      ...t,
      records: t.records + s.records,
      accepted: t.accepted + s.accepted,
      duplicate: t.duplicate + s.duplicate,
      rejected: t.rejected + s.rejected,
    };
  }
}

async function sendAll(
  sink: RecordSink,
  records: Iterable<SimRecord>,
  total: number,
  quiet?: boolean,
): Promise<OutcomeSummary> {
  const bar = progressBar('producing', total, { quiet });
  const tally = new Tally();
  let chunk: SimRecord[] = [];
  const flush = async () => {
    await sink.write(chunk);
    tally.add(chunk);
    bar.increment(chunk.length);
    chunk = [];
  };
  try {
    for (const record of records) {
      chunk.push(record);
      if (chunk.length >= 2_000) await flush();
    }
    await flush();
  } finally {
    bar.stop();
  }
  return tally.summary;
}

function report(context: CliContext, sink: RecordSink, s: OutcomeSummary, options: SimulateOptions): void {
  const where = options.out
    ? options.out
    : `${context.config.topics.bookings} ${sink.counts.bookings},` +
      ` ${context.config.topics.arrivals} ${sink.counts.arrivals}, ${context.config.topics.media} ${sink.counts.media}`;
  context.log(`sent ${s.records} records (${where})`);
  const codes = Object.entries(s.rejectedByCode)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
  context.log(
    `the pipeline should count: accepted ${s.accepted} + duplicate ${s.duplicate} + ` +
      `rejected ${s.rejected}${codes ? ` (${codes})` : ''} = consumed ${s.records}`,
  );
}

async function runHistoric(context: CliContext, options: SimulateOptions): Promise<void> {
  const { config, log } = context;
  const to = options.to ? parseTime(options.to, config.timeZone, '--to') : new Date();
  const from = options.from
    ? parseTime(options.from, config.timeZone, '--from')
    : new Date(to.getTime() - 365 * 86_400_000);
  if (from >= to) throw new CliError('--from must be before --to', 2);
  const count = options.count ?? DEFAULT_HISTORIC_COUNT;
  const seed = seedOf(options, log);
  const sink = await openSink(context, options);
  try {
    const records = historicTraffic({
      seed,
      timeZone: config.timeZone,
      mix: mixOf(options, { badShare: 0.01, duplicateShare: 0.01 }),
      from,
      to,
      count,
    });
    report(context, sink, await sendAll(sink, records, count, options.quiet), options);
  } finally {
    await sink.close();
  }
}

async function runLive(context: CliContext, options: SimulateOptions): Promise<void> {
  const { config, log } = context;
  const rate = options.rate ?? DEFAULT_RATE;
  const simulator = new TrafficSimulator({
    seed: seedOf(options, log),
    timeZone: config.timeZone,
    mix: mixOf(options, { badShare: 0.01, duplicateShare: 0.01 }),
  });
  const sink = await openSink(context, options);
  const stop = new AbortController();
  onInterrupt(() => stop.abort());
  log(
    `live traffic at ${rate} events/s` +
      (options.duration ? ` for ${options.duration} s` : '') +
      (options.count ? `, ${options.count} records` : '') +
      '; Ctrl-C stops',
  );
  const sent = await produceLive(simulator, sink, {
    rate,
    durationMs: options.duration ? options.duration * 1000 : undefined,
    count: options.count,
    signal: stop.signal,
    quiet: options.quiet,
  });
  await sink.close();
  report(context, sink, sent, options);
}

/**
 * Produces `rate` records a second with event time now, until the count, the duration or the
 * signal; then drains pending bookings.
 */
export async function produceLive(
  simulator: TrafficSimulator,
  sink: RecordSink,
  options: { rate: number; durationMs?: number; count?: number; signal: AbortSignal; quiet?: boolean },
): Promise<OutcomeSummary> {
  const bar = progressBar('producing', options.count, { quiet: options.quiet });
  const started = Date.now();
  const tally = new Tally();
  let ticks = 0;
  try {
    while (!options.signal.aborted && (options.count === undefined || tally.summary.records < options.count)) {
      const elapsed = Date.now() - started;
      if (options.durationMs !== undefined && elapsed >= options.durationMs) break;
      // Records due by now at the rate (counted in generator calls, as drained bookings come on top).
      const due = Math.min(
        Math.floor((elapsed / 1000) * options.rate) - ticks,
        options.rate,
        (options.count ?? Infinity) - tally.summary.records,
      );
      if (due <= 0) {
        await delay(Math.max(10, Math.min(100, 1000 / options.rate)));
        continue;
      }
      const now = new Date();
      const batch = Array.from({ length: due }, () => simulator.next(now));
      ticks += due;
      await sink.write(batch);
      tally.add(batch);
      bar.increment(batch.length);
    }
    const pending = simulator.drain();
    await sink.write(pending);
    tally.add(pending);
  } finally {
    bar.stop();
  }
  return tally.summary;
}

async function runSeedYear(context: CliContext, options: SimulateOptions): Promise<void> {
  const { config, log } = context;
  if (options.rate !== undefined || options.from || options.to || options.count !== undefined)
    throw new CliError('--seed-year fixes its own dates and volume: drop --rate/--from/--to/--count', 2);
  const data = seedYear({
    timeZone: config.timeZone,
    seed: options.seed,
    mix:
      options.badShare !== undefined || options.duplicateShare !== undefined
        ? mixOf(options, { badShare: 0.002, duplicateShare: 0.005 })
        : undefined,
  });
  log(`seed year: ${data.records.length} records over 2023 and 2024 (${config.timeZone})`);
  const pool: Pool | undefined = options.out
    ? undefined
    : createPool({
        url: config.database.url,
        poolSize: 1,
        applicationName: 'caravan-simulate',
        limits: config.database.limits,
      });
  try {
    const sink = await openSink(context, options);
    try {
      report(context, sink, await sendAll(sink, data.records, data.records.length, options.quiet), options);
    } finally {
      await sink.close();
    }
    const { rates, targets, source } = await ratesAndTargets(pool).catch(() => ratesAndTargets(undefined));
    const events = data.records.flatMap((r) => (r.event ? [r.event] : []));
    const expected = expectedKpis(events, { timeZone: config.timeZone, rates, targets });
    log('');
    log(
      renderKpiTable(
        expected.filter(isHeadline),
        `expected ytd KPIs of the whole market and of China once the pipeline has processed these ` +
          `records (on an otherwise empty event store; ${source}):`,
      ),
    );
    log(`(${expected.length} ytd snapshots are expected in all, one per scope; --verify compares every one)`);
    if (options.verify && pool) await verify(context, pool, expected, options.timeout);
  } finally {
    await pool?.end();
  }
}

async function verify(
  context: CliContext,
  pool: Pool,
  expected: ReturnType<typeof expectedKpis>,
  timeoutSeconds: number,
): Promise<void> {
  context.log('');
  context.log(`waiting up to ${timeoutSeconds} s for the published snapshots…`);
  const comparison = await waitForPublished(pool, expected, timeoutSeconds * 1000, () => undefined);
  const wrong = comparison.filter((c) => !c.equal);
  for (const c of wrong.slice(0, 20)) {
    context.log(
      `DIFF ${c.key}: expected ${JSON.stringify(c.expected)}, ` +
        `published ${c.published ? JSON.stringify(c.published) : 'nothing'}`,
    );
  }
  if (wrong.length > 0)
    throw new CliError(
      `${wrong.length} of ${comparison.length} published ytd snapshots differ from the expected ` +
        `figures (other events in this event store? use a fresh database)`,
    );
  context.log(`all ${comparison.length} expected ytd snapshots are published with exactly these figures`);
}
