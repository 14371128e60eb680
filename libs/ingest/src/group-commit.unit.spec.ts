import { GroupCommit } from './group-commit';
import type { BatchInput, BatchResult } from './ingest-batch';
import type { KafkaRecord } from '@caravan/kafka';

const batch = (partition: number, records: number): BatchInput => ({
  group: 'g',
  topic: 't',
  partition,
  records: Array.from({ length: records }, (_, i): KafkaRecord => ({
    topic: 't',
    partition,
    offset: String(i),
    key: null,
    value: null,
    timestamp: '0',
  })),
});

/** A result that names its partition, so each caller can be checked to get its own. */
const resultOf = (input: BatchInput): BatchResult => ({
  kind: 'nothing-new',
  skipped: input.records.length,
  nextOffset: BigInt(input.partition),
});

/** A fake transaction: records the partitions of each call; each call ends when the test says so. */
function fakeIngest() {
  const calls: number[][] = [];
  const ends: Array<(outcome: 'commit' | Error) => void> = [];
  const ingest = (inputs: BatchInput[]): Promise<BatchResult[]> => {
    calls.push(inputs.map((i) => i.partition));
    return new Promise((resolve, reject) => {
      ends.push((outcome) => (outcome === 'commit' ? resolve(inputs.map(resultOf)) : reject(outcome)));
    });
  };
  const started = async (n: number): Promise<void> => {
    while (calls.length < n) await new Promise((resolve) => setImmediate(resolve));
  };
  return { calls, ends, ingest, started };
}

describe('GroupCommit', () => {
  it('commits the batches handed in during one turn of the event loop in one transaction, each caller answered with its own result', async () => {
    const fake = fakeIngest();
    const group = new GroupCommit(fake.ingest, 10_000);
    const answers = [2, 0, 1].map((p) => group.submit(batch(p, 3)));
    await fake.started(1);
    fake.ends[0]?.('commit');
    expect(await Promise.all(answers)).toEqual([resultOf(batch(2, 3)), resultOf(batch(0, 3)), resultOf(batch(1, 3))]);
    // In the order handed in (ingestBatches locks the offsets in (topic, partition) order itself).
    expect(fake.calls).toEqual([[2, 0, 1]]);
  });

  it('puts at most maxRecords records in a transaction, in order, and a larger batch alone', async () => {
    const fake = fakeIngest();
    const group = new GroupCommit(fake.ingest, 5);
    const answers = [
      group.submit(batch(0, 3)),
      group.submit(batch(1, 2)), // 3 + 2 = 5: still the first transaction
      group.submit(batch(2, 0)), // and one without records (a transaction marker's batch)
      group.submit(batch(3, 1)),
      group.submit(batch(4, 8)), // over maxRecords by itself: a transaction of its own
    ];
    for (let n = 1; n <= 3; n++) {
      await fake.started(n);
      fake.ends[n - 1]?.('commit');
    }
    await Promise.all(answers);
    expect(fake.calls).toEqual([[0, 1, 2], [3], [4]]);
  });

  it('gathers the batches handed in while a transaction runs into the next one', async () => {
    const fake = fakeIngest();
    const group = new GroupCommit(fake.ingest, 10_000);
    const first = group.submit(batch(0, 1));
    await fake.started(1);
    const later = [group.submit(batch(1, 1)), group.submit(batch(2, 1))];
    expect(fake.calls).toEqual([[0]]);
    fake.ends[0]?.('commit');
    await first;
    await fake.started(2);
    fake.ends[1]?.('commit');
    expect((await Promise.all(later)).map((r) => r.kind === 'nothing-new' && r.nextOffset)).toEqual([1n, 2n]);
    expect(fake.calls).toEqual([[0], [1, 2]]);
  });

  it('fails every batch of a failed transaction with its error, and goes on with the next ones', async () => {
    const fake = fakeIngest();
    const group = new GroupCommit(fake.ingest, 2);
    const failing = [group.submit(batch(0, 1)), group.submit(batch(1, 1))];
    const next = group.submit(batch(2, 1));
    await fake.started(1);
    const lost = new Error('connection lost');
    fake.ends[0]?.(lost);
    await expect(failing[0]).rejects.toBe(lost);
    await expect(failing[1]).rejects.toBe(lost);
    await fake.started(2);
    fake.ends[1]?.('commit');
    await expect(next).resolves.toEqual(resultOf(batch(2, 1)));

    // Idle again: a new batch starts a new transaction.
    const after = group.submit(batch(0, 1));
    await fake.started(3);
    fake.ends[2]?.('commit');
    await expect(after).resolves.toEqual(resultOf(batch(0, 1)));
    expect(fake.calls).toEqual([[0, 1], [2], [0]]);
  });
});
