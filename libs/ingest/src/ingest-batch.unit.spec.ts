import { buildEvent, type ValidationResult } from '@caravan/contract';
import { type BatchInput, coverageOf, planBatch } from './ingest-batch';
import type { KafkaRecord } from '@caravan/kafka';

const context = { nowMs: Date.parse('2024-06-01T00:00:00Z'), hasRate: () => true };
const arrival = buildEvent.arrivalRecorded(
  { nationality: 'CN', port: 'khorgos', purpose: 'tourism', travelers: 2 },
  { occurredAt: '2024-05-01T10:00:00+05:00' },
);
const record = (offset: number, value: unknown = arrival): KafkaRecord => ({
  topic: 'arrivals',
  partition: 0,
  offset: String(offset),
  key: null,
  value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  timestamp: '0',
});
const input = (offsets: number[], extra: Partial<BatchInput> = {}): BatchInput => ({
  group: 'g',
  topic: 'arrivals',
  partition: 0,
  records: offsets.map((o) => record(o)),
  ...extra,
});
/** A planned batch's parts that matter here: which offsets it ingests, what it skips, where it ends. */
const fresh = (plan: ReturnType<typeof planBatch>) =>
  'results' in plan
    ? { offsets: plan.records.map((r) => r.offset), skipped: plan.skipped, nextOffset: plan.nextOffset }
    : plan;

describe('coverageOf', () => {
  it('covers from the first record to after the last, or the offsets the batch names', () => {
    expect(coverageOf(input([4, 5, 6]))).toEqual({ from: 4n, next: 7n });
    expect(coverageOf(input([4, 5], { fromOffset: '3', nextOffset: '9' }))).toEqual({ from: 3n, next: 9n });
    expect(coverageOf(input([]))).toEqual({ from: 0n, next: 0n });
  });
});

describe('planBatch: one partition of a group commit, decided as if alone', () => {
  it('ingests every record of a partition PostgreSQL has no offset for yet', () => {
    expect(fresh(planBatch(input([0, 1, 2]), -1n, context))).toEqual({
      offsets: ['0', '1', '2'],
      skipped: 0,
      nextOffset: 3n,
    });
  });

  it('skips the records a redelivery brings again, and has nothing new when it brings only those', () => {
    expect(fresh(planBatch(input([0, 1, 2, 3]), 2n, context))).toEqual({
      offsets: ['2', '3'],
      skipped: 2,
      nextOffset: 4n,
    });
    expect(planBatch(input([0, 1, 2, 3]), 4n, context)).toEqual({ kind: 'nothing-new', skipped: 4, nextOffset: 4n });
    expect(planBatch(input([]), 3n, context)).toEqual({ kind: 'nothing-new', skipped: 0, nextOffset: 3n });
  });

  it('moves past offsets without records: a transaction marker, also behind redelivered records', () => {
    expect(fresh(planBatch(input([], { fromOffset: '4', nextOffset: '5' }), 4n, context))).toEqual({
      offsets: [],
      skipped: 0,
      nextOffset: 5n,
    });
    expect(fresh(planBatch(input([2, 3], { nextOffset: '5' }), 4n, context))).toEqual({
      offsets: [],
      skipped: 2,
      nextOffset: 5n,
    });
  });

  it('refuses a batch that starts after the stored offset, unless told the records between are gone', () => {
    expect(planBatch(input([5, 6]), 2n, context)).toEqual({ kind: 'gap', expectedOffset: 2n, firstOffset: 5n });
    expect(fresh(planBatch(input([5, 6], { acceptGap: true }), 2n, context))).toEqual({
      offsets: ['5', '6'],
      skipped: 0,
      nextOffset: 7n,
    });
  });

  it('refuses a partition whose stored offset lies beyond the end of its log', () => {
    expect(planBatch(input([0, 1], { logEndOffset: '4' }), 10n, context)).toEqual({
      kind: 'beyond-log-end',
      storedOffset: 10n,
      logEndOffset: 4n,
    });
    // At the end exactly, or no offset stored yet: nothing went backwards.
    expect(planBatch(input([4], { logEndOffset: '4' }), 4n, context)).toMatchObject({ skipped: 0, nextOffset: 5n });
    expect(planBatch(input([0], { logEndOffset: '0' }), -1n, context)).toMatchObject({ nextOffset: 1n });
  });

  it('validates the records it keeps, or takes the validation done before the transaction, index by index', () => {
    const mixed = { ...input([]), records: [record(0), record(1, '{not json'), record(2)] };
    const plan = planBatch(mixed, 1n, context);
    if (!('results' in plan)) throw new Error(`planned ${plan.kind}`);
    expect(plan.results.map((r) => [r.record.offset, r.result.ok])).toEqual([
      ['1', false],
      ['2', true],
    ]);
    expect(plan.results[0]?.result).toMatchObject({ ok: false, rejection: { code: 'malformed_json' } });

    const validated = [0, 1, 2].map((i): ValidationResult => ({
      ok: false,
      rejection: { code: 'schema', detail: `pre-validated ${i}` },
    }));
    const pre = planBatch({ ...mixed, validated }, 1n, context);
    expect('results' in pre && pre.results.map((r) => r.result)).toEqual([validated[1], validated[2]]);
  });
});
