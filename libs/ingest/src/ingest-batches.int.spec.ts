import { buildEvent } from '@caravan/contract';
import { useTestDatabase } from '../../../tests/harness';
import { GroupCommit } from './group-commit';
import { type BatchInput, ingestBatches } from './ingest-batch';
import { ingestTotals } from '@caravan/observability';
import type { KafkaRecord } from '@caravan/kafka';

const context = { hasRate: () => true };
const arrival = (travelers: number) =>
  buildEvent.arrivalRecorded(
    { nationality: 'CN', port: 'khorgos', purpose: 'tourism', travelers },
    { occurredAt: '2024-05-01T10:00:00+05:00' },
  );
const record = (topic: string, partition: number, offset: number, value: unknown): KafkaRecord => ({
  topic,
  partition,
  offset: String(offset),
  key: null,
  value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  timestamp: '0',
});

describe('several partitions in one ingest transaction (real PostgreSQL)', () => {
  const db = useTestDatabase();

  it('gives each partition the result, counters and offset it would have had alone', async () => {
    const shared = arrival(5);
    const a = [arrival(1), arrival(2), shared];
    const inputs: BatchInput[] = [
      // Listed out of (topic, partition) order: offsets are locked in order whatever the input order.
      {
        group: 'g',
        topic: 'arrivals',
        partition: 1,
        records: [record('arrivals', 1, 0, shared), record('arrivals', 1, 1, '{not json')],
      },
      { group: 'g', topic: 'arrivals', partition: 0, records: a.map((e, i) => record('arrivals', 0, i, e)) },
      { group: 'g', topic: 'media', partition: 0, records: [] },
    ];
    const results = await ingestBatches(db().pool, inputs, context);
    expect(results[0]).toMatchObject({
      kind: 'ingested',
      consumed: 2,
      accepted: 1,
      duplicate: 0,
      rejected: 1,
      nextOffset: 2n,
    });
    // The shared eventId: the first record offered in input order is the one accepted.
    expect(results[1]).toMatchObject({
      kind: 'ingested',
      consumed: 3,
      accepted: 2,
      duplicate: 1,
      rejected: 0,
      nextOffset: 3n,
    });
    expect(results[2]).toMatchObject({ kind: 'nothing-new' });
    const { rows } = await db().pool.query<{ n: number; travelers: number }>(
      `SELECT count(*)::int AS n, sum((data->>'travelers')::int)::int AS travelers FROM events`,
    );
    expect(rows[0]).toEqual({ n: 3, travelers: 8 });

    // Redelivered in part, with a partition that jumped ahead: each answered on its own.
    const again = await ingestBatches(
      db().pool,
      [
        {
          group: 'g',
          topic: 'arrivals',
          partition: 0,
          records: [...a.map((e, i) => record('arrivals', 0, i, e)), record('arrivals', 0, 3, arrival(7))],
        },
        { group: 'g', topic: 'arrivals', partition: 1, records: [record('arrivals', 1, 5, arrival(9))] },
      ],
      context,
    );
    expect(again[0]).toMatchObject({ kind: 'ingested', consumed: 1, accepted: 1, skipped: 3, nextOffset: 4n });
    expect(again[1]).toEqual({ kind: 'gap', expectedOffset: 2n, firstOffset: 5n });

    const totals = await ingestTotals(db().pool, 'g');
    const sum = (k: 'consumed' | 'accepted' | 'duplicate' | 'rejected') => totals.reduce((n, t) => n + t[k], 0);
    expect({
      consumed: sum('consumed'),
      accepted: sum('accepted'),
      duplicate: sum('duplicate'),
      rejected: sum('rejected'),
    }).toEqual({ consumed: 6, accepted: 4, duplicate: 1, rejected: 1 });
  });

  it('commits batches handed in together as one group, each caller answered for its own partition', async () => {
    let transactions = 0;
    const group = new GroupCommit(async (inputs) => {
      transactions += 1;
      return ingestBatches(db().pool, inputs, context);
    }, 10_000);
    const batches = Array.from({ length: 6 }, (_, p): BatchInput => ({
      group: 'gc',
      topic: 'arrivals',
      partition: p,
      records: [record('arrivals', p, 0, arrival(p + 1))],
    }));
    const results = await Promise.all(batches.map((b) => group.submit(b)));
    expect(results.map((r) => r.kind === 'ingested' && r.accepted)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(transactions).toBe(1);
    // And alone, as before.
    expect(
      await ingestBatches(
        db().pool,
        [{ group: 'gc', topic: 'arrivals', partition: 9, records: [record('arrivals', 9, 0, arrival(1))] }],
        context,
      ),
    ).toMatchObject([{ kind: 'ingested', accepted: 1 }]);
  });
});
