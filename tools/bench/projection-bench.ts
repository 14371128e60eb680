/**
 * Projection catch-up: the event store replayed by each projection (the projector's code path:
 * batches of PROJECTOR_BATCH_SIZE in one transaction with the checkpoint), beside one plain SQL
 * GROUP BY over the same events for the arrivals aggregate, as a reference.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '@caravan/config';
import { validateRecord } from '@caravan/contract';
import { createPool, dropDatabase, ensureDatabase, migrate, withDatabase, withTransaction } from '@caravan/database';
import { appendEvents, candidatesOf, type KafkaRecord } from '@caravan/ingest';
import { catchUp, ensureProjectionTables, PROJECTIONS, tableNames } from '@caravan/projections';
import { mixedStream } from '../../tests/harness/mixed-stream';

export type ProjectionBenchResult = { name: string; events: number; seconds: number; perSecond: number };

export async function benchProjections(records: number, log: (line: string) => void): Promise<ProjectionBenchResult[]> {
  const base = loadConfig('tool');
  const dbName = `caravan_bench_${randomBytes(3).toString('hex')}`;
  const url = withDatabase(base.database.url, dbName);
  await ensureDatabase(url);
  const pool = createPool({ url, poolSize: 2 });
  try {
    await migrate(pool);
    const stream = mixedStream(records, 7, { dupShare: 0, badShare: 0, conflictShare: 0 });
    for (let i = 0; i < stream.records.length; i += 2_000) {
      const results = stream.records.slice(i, i + 2_000).map((r, j) => ({
        record: { topic: r.role, partition: 0, offset: String(i + j), key: null, value: r.value, timestamp: '0' } as KafkaRecord,
        result: validateRecord(r.value, { nowMs: Date.now(), hasRate: () => true }),
      }));
      await withTransaction(pool, (c) => appendEvents(c, { topic: 'bench', partition: 0 }, candidatesOf(results)));
    }
    log(`stored ${records} events`);
    const results: ProjectionBenchResult[] = [];
    const client = await pool.connect();
    try {
      let total = 0;
      const allStart = performance.now();
      for (const p of PROJECTIONS) {
        await ensureProjectionTables(client, p, tableNames(p));
        const start = performance.now();
        const read = await catchUp(client, p, tableNames(p), { batchSize: base.projector.batchSize, timeZone: base.timeZone });
        const seconds = (performance.now() - start) / 1000;
        total += read;
        results.push({ name: `projection ${p.name}`, events: read, seconds, perSecond: read / seconds });
      }
      const allSeconds = (performance.now() - allStart) / 1000;
      results.push({ name: 'all projections, one after another', events: records, seconds: allSeconds, perSecond: records / allSeconds });
      void total;
      const sqlStart = performance.now();
      await client.query(
        `CREATE TEMP TABLE arrivals_by_sql AS
         SELECT (occurred_at AT TIME ZONE $1)::date AS day, data->>'nationality' AS nationality, data->>'port' AS port, data->>'purpose' AS purpose,
                coalesce(data->>'destination', '') AS destination, sum((data->>'travelers')::bigint) AS travelers, count(*) AS events
         FROM events WHERE type = 'ArrivalRecorded' GROUP BY 1, 2, 3, 4, 5`,
        [base.timeZone],
      );
      const sqlSeconds = (performance.now() - sqlStart) / 1000;
      results.push({ name: 'reference: one SQL GROUP BY for arrivals', events: records, seconds: sqlSeconds, perSecond: records / sqlSeconds });
    } finally {
      client.release();
    }
    return results;
  } finally {
    await pool.end();
    await dropDatabase(base.database.url, dbName);
  }
}
