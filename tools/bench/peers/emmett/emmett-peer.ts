/**
 * The Emmett peer of `npm run bench`: the same events and the same three daily read models, built
 * the way an Emmett user would (PostgreSQL event store, inline raw-SQL projections), in-process.
 */
import type { PeerResult } from '../peer-result';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { TourismEvent } from '@caravan/contract';
import { dropDatabase, ensureDatabase, withDatabase } from '@caravan/database';
import { RateTable } from '@caravan/domain';
import { DEFAULT_RATES } from '@caravan/simulator';
import { projections } from '@event-driven-io/emmett';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { Pool } from 'pg';
import { appendStreams, groupByStream } from './append-streams';
import { checkAggregates } from './check';
import { streamNameOf, toEmmettEvent } from './events';
import { withEmmettTypeParsers } from './pg-type-parsers';
import { dailyProjections } from './read-models';

export type { PeerResult } from '../peer-result';

export type EmmettBenchInput = {
  databaseUrl: string;
  events: TourismEvent[];
  timeZone: string;
  log: (line: string) => void;
};

// Caravan's default DATABASE_POOL_SIZE; one append in flight per connection.
const POOL_SIZE = 10;
// At most this many events of one stream per appendToStream call (arrivals and media streams are long).
const CHUNK_SIZE = 100;

export function benchEmmett(input: EmmettBenchInput): Promise<PeerResult> {
  return withEmmettTypeParsers(() => run(input));
}

async function run(input: EmmettBenchInput): Promise<PeerResult> {
  const { events, timeZone, log } = input;
  const rates = new RateTable(DEFAULT_RATES);
  const dbName = `caravan_bench_emmett_${randomBytes(3).toString('hex')}`;
  const url = withDatabase(input.databaseUrl, dbName);
  await ensureDatabase(url);
  const pool = new Pool({ connectionString: url, max: POOL_SIZE });
  let closing = false;
  // DROP DATABASE … WITH (FORCE) may still reach a client the ended pool has not finished closing.
  pool.on('error', (error) => closing || log(`emmett: idle connection failed: ${error.message}`));
  const store = getPostgreSQLEventStore(url, {
    projections: projections.inline(dailyProjections(timeZone, rates)),
    connectionOptions: { pool },
  });
  try {
    // Schema and projection tables first, as an application's start-up would: not timed.
    await store.schema.migrate();
    const streams = new Map(
      [...groupByStream(events, streamNameOf)].map(([name, list]) => [name, list.map(toEmmettEvent)]),
    );
    log(
      `emmett: ${events.length} events in ${streams.size} streams, ${POOL_SIZE} appends in flight, ` +
        `up to ${CHUNK_SIZE} events per append`,
    );
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    const stats = await appendStreams(store, { streams, chunkSize: CHUNK_SIZE, concurrency: POOL_SIZE });
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    log(
      `emmett: ${stats.appends} appends (inline projections in each append's transaction) in ${seconds.toFixed(2)} s`,
    );
    const check = await checkAggregates(pool, events, timeZone, rates);
    return {
      name: 'emmett (inline projections)',
      events: events.length,
      seconds,
      eventsPerSecond: events.length / seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      check,
    };
  } finally {
    closing = true;
    await store.close();
    if (!pool.ended) await pool.end();
    await dropDatabase(input.databaseUrl, dbName);
  }
}
