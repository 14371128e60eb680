import fc from 'fast-check';
import { CurrencyRateValidity, type BatchInput, type IngestFailure, ingestResilient } from '@caravan/ingest';
import type { KafkaRecord } from '@caravan/kafka';
import { createTestDatabase, projectAll, totals } from '../harness';
import { expectedFromEvents, projected } from '@caravan/simulator';
import { type HostileRecord, hostileRecord } from './hostile-records';

// `npm test` sends RUNS × RECORDS (10 × 1,000) hostile records; `npm run fuzz` many more
// (CARAVAN_FUZZ_RUNS, CARAVAN_FUZZ_RECORDS, CARAVAN_FUZZ_SEED to replay a failure).
const RUNS = Number(process.env.CARAVAN_FUZZ_RUNS ?? 10);
const RECORDS = Number(process.env.CARAVAN_FUZZ_RECORDS ?? 1_000);
const SEED = process.env.CARAVAN_FUZZ_SEED === undefined ? undefined : Number(process.env.CARAVAN_FUZZ_SEED);
const TZ = 'Asia/Almaty';
const PARTITIONS = [
  ['fuzz.bookings', 0],
  ['fuzz.bookings', 1],
  ['fuzz.arrivals', 0],
  ['fuzz.arrivals', 1],
  ['fuzz.media', 0],
  ['fuzz.media', 1],
] as const;

/**
 * How the records reach the ingest transaction: partition, batch cuts, groups, redeliveries of earlier batches, resent
 * values.
 */
const delivery = fc.record({
  partitionOf: fc.array(fc.nat({ max: PARTITIONS.length - 1 }), { minLength: RECORDS, maxLength: RECORDS }),
  batchSizes: fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 50, maxLength: 50 }),
  groupSizes: fc.array(fc.integer({ min: 1, max: PARTITIONS.length }), { minLength: 50, maxLength: 50 }),
  redeliver: fc.array(fc.boolean(), { minLength: 50, maxLength: 50 }),
  resend: fc.array(fc.nat(), { minLength: RECORDS, maxLength: RECORDS }),
});

const summary = { runs: 0, records: 0, byKind: new Map<string, number>(), byOutcome: new Map<string, number>() };
const count = (map: Map<string, number>, key: string, n = 1) => map.set(key, (map.get(key) ?? 0) + n);

describe('hostile input through the real ingest transaction and the projections (property-based, real PostgreSQL)', () => {
  afterAll(() => {
    const kinds = [...summary.byKind]
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${n} ${k}`)
      .join(', ');
    // (A record with several hostile changes is counted under each.)
    const outcomes = [...summary.byOutcome]
      .sort()
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    process.stderr.write(
      `[fuzz] ${summary.runs} runs, ${summary.records} records: ${kinds}\n[fuzz] outcomes: ${outcomes}\n`,
    );
  });

  it(`ingests ${RUNS} × ${RECORDS} generated records: no transaction left failing, counts that add up, every accepted event applied by every projection`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(hostileRecord, { minLength: RECORDS, maxLength: RECORDS }),
        delivery,
        async (generated, how) => {
          const db = await createTestDatabase();
          try {
            const rates = new CurrencyRateValidity(db.pool);
            await rates.refresh();
            // Some values come again later (a producer retrying): duplicates or conflicts, never a second event.
            const records: HostileRecord[] = generated.map((r, i) =>
              i > 10 && (how.resend[i] ?? 0) % 13 === 0
                ? { ...(generated[(how.resend[i] ?? 0) % i] as HostileRecord), kind: 'resent value' }
                : r,
            );
            const byPartition = PARTITIONS.map(() => [] as KafkaRecord[]);
            records.forEach((r, i) => {
              const p = how.partitionOf[i] ?? 0;
              const [topic, partition] = PARTITIONS[p] as (typeof PARTITIONS)[number];
              const list = byPartition[p] as KafkaRecord[];
              list.push({
                topic,
                partition,
                offset: String(list.length),
                key: r.key,
                value: r.value,
                timestamp: r.timestamp,
              });
            });
            const failures: IngestFailure[] = [];
            const unstorable: string[] = [];
            const options = {
              context: { hasRate: rates.hasRate },
              onFailure: (f: IngestFailure) => failures.push(f),
              onUnstorable: (r: KafkaRecord, reason: string) => unstorable.push(`${r.topic}@${r.offset}: ${reason}`),
            };
            const cursor = PARTITIONS.map(() => 0);
            let turn = 0;
            const sent: BatchInput[] = [];
            while (cursor.some((c, p) => c < (byPartition[p] as KafkaRecord[]).length)) {
              const pending = PARTITIONS.map((_, p) => p).filter(
                (p) => (cursor[p] as number) < (byPartition[p] as KafkaRecord[]).length,
              );
              const group = pending.slice(0, how.groupSizes[turn % 50]).map((p): BatchInput => {
                const [topic, partition] = PARTITIONS[p] as (typeof PARTITIONS)[number];
                const from = cursor[p] as number;
                const to = Math.min(
                  (byPartition[p] as KafkaRecord[]).length,
                  from + (how.batchSizes[(turn + p) % 50] as number),
                );
                cursor[p] = to;
                return { group: 'fuzz', topic, partition, records: (byPartition[p] as KafkaRecord[]).slice(from, to) };
              });
              sent.push(...group);
              // Now and then a batch already ingested comes again (a rebalance, a restart): nothing may count twice.
              const again =
                how.redeliver[turn % 50] && sent.length > group.length
                  ? [sent[turn % (sent.length - group.length)] as BatchInput]
                  : [];
              const inputs = [
                ...group,
                ...again.filter((a) => !group.some((g) => g.topic === a.topic && g.partition === a.partition)),
              ];
              const results = await ingestResilient(db.pool, inputs, options);
              expect(results.every((r) => r.kind === 'ingested' || r.kind === 'nothing-new')).toBe(true);
              turn += 1;
            }

            expect(failures).toEqual([]);
            // Validation agrees with the store: nothing it passes is refused.
            expect(unstorable).toEqual([]);
            const { all, byTopic } = await totals(db.pool, 'fuzz');
            expect(all.consumed).toBe(records.length);
            for (const t of byTopic) expect(t.consumed).toBe(t.accepted + t.duplicate + t.rejected);
            const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
            expect(rows[0]?.n).toBe(all.accepted);

            await projectAll(db.pool, { timeZone: TZ, batchSize: 500 });
            const aside = await db.pool.query<{ projection: string; error: string }>(
              'SELECT projection, error FROM projection_set_aside',
            );
            expect(aside.rows).toEqual([]);
            expect(await projected(db.pool)).toEqual(await expectedFromEvents(db.pool, TZ));

            summary.runs += 1;
            summary.records += records.length;
            // A valid envelope with hostile changes counts once per change (`hostile occurredAt + eventId`).
            for (const r of records) {
              if (r.kind.startsWith('hostile '))
                for (const change of r.kind.slice(8).split(' + '))
                  count(summary.byKind, `valid envelope, hostile ${change}`);
              else count(summary.byKind, r.kind);
            }
            count(summary.byOutcome, 'accepted', all.accepted);
            count(summary.byOutcome, 'duplicate', all.duplicate);
            for (const [code, n] of Object.entries(all.rejectedByCode)) count(summary.byOutcome, `rejected ${code}`, n);
          } finally {
            await db.drop();
          }
        },
      ),
      { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}), endOnFailure: false },
    );
    // A guard against a hang only: a busy machine is slower, not wrong.
  }, 3_600_000);
});
