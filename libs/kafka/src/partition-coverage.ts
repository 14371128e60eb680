type Track = { durable: bigint; expected: bigint };

/**
 * Which offsets a batch accounts for. kafkajs hands eachBatch only the data records: the control
 * records that end transactions, aborted records and batches holding nothing else are filtered
 * out, and a fetch that returns only those is never handed in at all (kafkajs moves past it by
 * itself). A batch that starts after what was last made durable is then no gap when everything
 * in between was such a filtered batch: this tracks, per partition, the durable offset and where
 * kafkajs will fetch next, so that the next batch's coverage starts at the durable offset.
 */
export class PartitionCoverage {
  private readonly tracks = new Map<string, Track>();

  /** Durable up to `offset` (a handled batch, or a seek to the stored offset). */
  durableAt(topic: string, partition: number, offset: bigint): void {
    this.tracks.set(key(topic, partition), { durable: offset, expected: offset });
  }

  /**
   * kafkajs moved past a batch with no data record, `first`..`last` (null first: nothing within
   * the fetch). Resolves the offsets now accounted for, [durable, last + 1), when the run follows
   * on from the durable offset; undefined otherwise (anything else stays a gap).
   */
  skippedFiltered(
    topic: string,
    partition: number,
    first: string | null,
    last: string,
  ): { fromOffset: string; nextOffset: string } | undefined {
    const track = this.tracks.get(key(topic, partition));
    if (!track || first === null || BigInt(first) !== track.expected || BigInt(last) < track.expected) return undefined;
    track.expected = BigInt(last) + 1n;
    return { fromOffset: track.durable.toString(), nextOffset: track.expected.toString() };
  }

  /**
   * Where a batch fetched at `fetchedOffset` begins to account: the durable offset if only filtered
   * records lie between.
   */
  fromOffset(topic: string, partition: number, fetchedOffset: string): string {
    const track = this.tracks.get(key(topic, partition));
    return track && BigInt(fetchedOffset) === track.expected ? track.durable.toString() : fetchedOffset;
  }

  forget(topic: string, partition: number): void {
    this.tracks.delete(key(topic, partition));
  }

  clear(): void {
    this.tracks.clear();
  }
}

const key = (topic: string, partition: number): string => `${topic}:${partition}`;
