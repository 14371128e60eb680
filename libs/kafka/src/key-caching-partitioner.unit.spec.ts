import { Partitioners, type PartitionerArgs } from 'kafkajs';
import { keyCachingPartitioner } from './kafka-client';

const metadata = (n: number): PartitionerArgs['partitionMetadata'] =>
  Array.from({ length: n }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
  }));

describe('keyCachingPartitioner', () => {
  const keys = Array.from({ length: 500 }, (_, i) => `arrivals|ytd|nationality=K${i}`);

  it("puts every key where the Java client's murmur2 partitioner does, again and again, for any partition count", () => {
    const cached = keyCachingPartitioner(64)();
    const plain = Partitioners.DefaultPartitioner();
    for (const partitions of [6, 6, 3, 12, 6])
      for (const key of [...keys, ...keys]) {
        const args = { topic: 't', partitionMetadata: metadata(partitions), message: { key, value: 'v' } };
        expect(cached(args)).toBe(plain(args));
      }
  });

  it('takes a partition the message names, and spreads keyless messages as the default does', () => {
    const cached = keyCachingPartitioner()();
    expect(
      cached({ topic: 't', partitionMetadata: metadata(6), message: { key: 'a', value: 'v', partition: 4 } }),
    ).toBe(4);
    const seen = new Set<number>();
    for (let i = 0; i < 60; i++)
      seen.add(cached({ topic: 't', partitionMetadata: metadata(6), message: { value: 'v' } }));
    expect(seen.size).toBe(6);
  });
});
