import type { Logger } from '@nestjs/common';
import type { Producer } from 'kafkajs';
import type { Pool } from 'pg';
import { DLQ_HEADERS } from '@caravan/contract';
import { withTransaction } from '@caravan/database';
import { type LoopHandle, loops } from '@caravan/observability';

type PendingRow = {
  id: string;
  source_topic: string;
  source_partition: number;
  source_offset: string;
  record_key: Buffer | null;
  record_value: Buffer | null;
  code: string;
  detail: string;
};

const BATCH = 500;

/**
 * Publishes rejections from PostgreSQL (the outbox) to the dead-letter topic, byte-identical with
 * their headers, and marks them published. Rows stay pending while Kafka is unreachable and go out
 * on a later run; instances share the work with SKIP LOCKED. Delivery is at least once: a crash
 * between the send and the commit republishes, and x-source-* identify the record.
 */
export class DlqRelay {
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private connected = false;
  private health: LoopHandle | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {
    producer.on(producer.events.DISCONNECT, () => {
      this.connected = false;
    });
  }

  start(intervalMs: number): void {
    // A drain takes seconds at most (Kafka's and PostgreSQL's own timeouts): long silence means it hangs.
    this.health = loops.register('dlq-relay', Math.max(10 * intervalMs, 120_000));
    this.timer = setInterval(() => this.kick(), intervalMs);
    this.timer.unref();
    this.kick();
  }

  /** Runs the relay now, or once more after the run in progress. */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().then(() => undefined).finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    if (this.health) loops.unregister(this.health.loop);
    await this.running;
  }

  /** Publishes pending rejections until none is left; resolves the number published. */
  async drain(): Promise<number> {
    let total = 0;
    try {
      for (;;) {
        const published = await this.publishBatch();
        total += published;
        if (published < BATCH) {
          this.health?.beat();
          return total;
        }
      }
    } catch (error) {
      this.health?.failed(error);
      this.health?.beat();
      this.logger.warn(`dead-letter relay: ${(error as Error).message}; pending rejections stay in PostgreSQL`);
      return total;
    }
  }

  private publishBatch(): Promise<number> {
    return withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<PendingRow>(
        `SELECT id, source_topic, source_partition, source_offset, record_key, record_value, code, detail
         FROM rejections WHERE dlq_published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [BATCH],
      );
      if (rows.length === 0) return 0;
      // Connected on first need, so an app starts while Kafka is down and publishes once it is up.
      if (!this.connected) {
        await this.producer.connect();
        this.connected = true;
      }
      await this.producer.send({
        topic: this.topic,
        messages: rows.map((r) => ({
          key: r.record_key,
          value: r.record_value,
          headers: {
            [DLQ_HEADERS.code]: r.code,
            [DLQ_HEADERS.detail]: r.detail,
            [DLQ_HEADERS.topic]: r.source_topic,
            [DLQ_HEADERS.partition]: String(r.source_partition),
            [DLQ_HEADERS.offset]: r.source_offset,
          },
        })),
      });
      await client.query('UPDATE rejections SET dlq_published_at = now() WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id)]);
      return rows.length;
    });
  }
}
