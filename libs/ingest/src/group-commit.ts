import type { BatchInput, BatchResult } from './ingest-batch';

type Waiting = { input: BatchInput; resolve: (result: BatchResult) => void; reject: (error: unknown) => void };

/**
 * A group commit for partition batches: the batches handed in while one transaction runs (kafkajs
 * hands the partitions of a fetch in concurrently) are ingested together in the next one, up to
 * `maxRecords` records per transaction. Each caller gets its own partition's result; a failed
 * transaction fails every batch in it (none of them is stored, each is read again).
 */
export class GroupCommit {
  private waiting: Waiting[] = [];
  private draining = false;

  constructor(
    private readonly ingest: (inputs: BatchInput[]) => Promise<BatchResult[]>,
    private readonly maxRecords: number,
  ) {}

  submit(input: BatchInput): Promise<BatchResult> {
    return new Promise<BatchResult>((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      // The other partitions of the same fetch are handed in during this turn of the event loop.
      await new Promise((resolve) => setImmediate(resolve));
      while (this.waiting.length > 0) {
        const group: Waiting[] = [];
        let records = 0;
        while (this.waiting.length > 0) {
          const next = this.waiting[0] as Waiting;
          if (group.length > 0 && records + next.input.records.length > this.maxRecords) break;
          group.push(next);
          records += next.input.records.length;
          this.waiting.shift();
        }
        try {
          const results = await this.ingest(group.map((w) => w.input));
          group.forEach((w, i) => w.resolve(results[i] as BatchResult));
        } catch (error) {
          for (const w of group) w.reject(error);
        }
      }
    } finally {
      this.draining = false;
    }
  }
}
