import type { Logger } from '@nestjs/common';
import type { Message, Producer } from 'kafkajs';
import type { Pool } from 'pg';
import { DLQ_HEADERS } from '@caravan/contract';
import { withTransaction } from '@caravan/database';
import { BackgroundLoop, dlqRefused } from '@caravan/observability';
import { explainKafkaError } from '@caravan/kafka';
import type { RejectionRow } from './rejection-row';

type PendingRow = Omit<RejectionRow, 'consumer_group'>;

const BATCH = 500;
/**
 * Bytes per request to the dead-letter topic: under the broker's default `message.max.bytes`
 * (1 MiB), so that rejections with one key (one partition, one record batch) never add up past it.
 */
export const DLQ_MAX_REQUEST_BYTES = 900_000;

/**
 * Publishes rejections from PostgreSQL (the outbox) to the dead-letter topic, byte-identical with
 * their headers, and marks them published. Rows stay pending while Kafka is unreachable and go out
 * on a later run; instances share the work with SKIP LOCKED. Delivery is at least once: a crash
 * between the send and the commit republishes, and x-source-* identify the record.
 */
export class DlqRelay {
  private loop: BackgroundLoop | undefined;
  private connected = false;
  private failing = false;

  constructor(
    private readonly pool: Pool,
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly logger: Pick<Logger, 'warn' | 'log'>,
    private readonly maxRequestBytes = DLQ_MAX_REQUEST_BYTES,
  ) {
    producer.on(producer.events.DISCONNECT, () => {
      this.connected = false;
    });
  }

  start(intervalMs: number): void {
    this.loop = new BackgroundLoop({
      run: () => this.publishPending({ total: 0 }),
      everyMs: intervalMs,
      // A drain takes seconds at most (Kafka's and PostgreSQL's own timeouts): long silence means it hangs.
      health: { name: 'dlq-relay', stalledAfterMs: Math.max(10 * intervalMs, 120_000) },
      onError: (error) => this.failed(error),
    });
    this.loop.start();
  }

  /** Runs the relay now, or once more after the run in progress. */
  kick(): void {
    this.loop?.wake();
  }

  async stop(): Promise<void> {
    await this.loop?.stop();
  }

  /** Publishes pending rejections until none is left; resolves the number published. */
  async drain(): Promise<number> {
    const sent = { total: 0 };
    await this.publishPending(sent).catch((error: unknown) => this.failed(error));
    return sent.total;
  }

  private async publishPending(sent: { total: number }): Promise<void> {
    for (;;) {
      const published = await this.publishBatch();
      sent.total += published;
      if (published < BATCH) break;
    }
    if (this.failing) this.logger.log('dead-letter relay: publishing again');
    this.failing = false;
  }

  private failed(error: unknown): void {
    // Once per spell of failures, not once per run.
    if (!this.failing)
      this.logger.warn(
        `dead-letter relay: ${explainKafkaError(error)}; pending rejections stay in PostgreSQL, retried every run`,
      );
    this.failing = true;
  }

  private publishBatch(): Promise<number> {
    return withTransaction(this.pool, async (client) => {
      // The rows stay locked while Kafka takes the batch (its retries take up to a few minutes);
      // they block no one else (SKIP LOCKED), so this transaction may idle longer than others.
      await client.query(`SET LOCAL idle_in_transaction_session_timeout = '5min'`);
      const { rows } = await client.query<PendingRow>(
        `SELECT id, source_topic, source_partition, source_offset, record_key, record_value, code, detail
         FROM rejections WHERE dlq_published_at IS NULL AND dlq_failed_at IS NULL
         ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [BATCH],
      );
      if (rows.length === 0) return 0;
      // Connected on first need, so an app starts while Kafka is down and publishes once it is up.
      if (!this.connected) {
        await this.producer.connect();
        this.connected = true;
      }
      const outcome: SendOutcome = { published: [], refused: [], failure: undefined };
      for (const request of bySize(rows, this.maxRequestBytes)) {
        await this.sendOrIsolate(request, outcome);
        if (outcome.failure) break;
      }
      if (outcome.published.length > 0) {
        await client.query('UPDATE rejections SET dlq_published_at = now() WHERE id = ANY($1::bigint[])', [
          outcome.published,
        ]);
      }
      if (outcome.refused.length > 0) {
        await client.query(
          `UPDATE rejections r SET dlq_failed_at = now(), dlq_error = f.reason
           FROM unnest($1::bigint[], $2::text[]) AS f(id, reason) WHERE r.id = f.id`,
          [outcome.refused.map((f) => f.id), outcome.refused.map((f) => f.reason)],
        );
        dlqRefused.inc(outcome.refused.length);
        for (const f of outcome.refused)
          this.logger.warn(
            `dead-letter relay: rejection ${f.id} refused by the broker even alone, marked and skipped: ${f.reason}`,
          );
      }
      // What went out is marked; a failure that is Kafka's (away, timing out) leaves the rest pending.
      if (outcome.failure && outcome.published.length === 0 && outcome.refused.length === 0) throw outcome.failure;
      return outcome.failure ? 0 : rows.length;
    });
  }

  /**
   * Sends one request; a request the broker refuses for its content (too large, an invalid
   * record) is split in halves until the record it refuses is alone, and that record is refused.
   */
  private async sendOrIsolate(rows: PendingRow[], outcome: SendOutcome): Promise<void> {
    try {
      await this.producer.send({ topic: this.topic, messages: rows.map(toMessage) });
      outcome.published.push(...rows.map((r) => r.id));
    } catch (error) {
      if (!refusedForContent(error)) {
        outcome.failure = error as Error;
        return;
      }
      if (rows.length === 1) {
        outcome.refused.push({ id: (rows[0] as PendingRow).id, reason: describeKafkaError(error) });
        return;
      }
      const half = Math.ceil(rows.length / 2);
      await this.sendOrIsolate(rows.slice(0, half), outcome);
      if (!outcome.failure) await this.sendOrIsolate(rows.slice(half), outcome);
    }
  }
}

type SendOutcome = { published: string[]; refused: Array<{ id: string; reason: string }>; failure: Error | undefined };

function toMessage(r: PendingRow): Message {
  return {
    key: r.record_key,
    value: r.record_value,
    headers: {
      [DLQ_HEADERS.code]: r.code,
      [DLQ_HEADERS.detail]: r.detail,
      [DLQ_HEADERS.topic]: r.source_topic,
      [DLQ_HEADERS.partition]: String(r.source_partition),
      [DLQ_HEADERS.offset]: r.source_offset,
    },
  };
}

/** A record's size on the wire, near enough: key, value, headers and a record's overhead. */
function sizeOf(r: PendingRow): number {
  return (
    (r.record_key?.length ?? 0) +
    (r.record_value?.length ?? 0) +
    Buffer.byteLength(r.detail) +
    r.code.length +
    r.source_topic.length +
    128
  );
}

/** Consecutive runs of rows of at most `maxBytes` each (a larger row alone). */
export function bySize<T extends PendingRow>(rows: T[], maxBytes: number): T[][] {
  const requests: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = sizeOf(row);
    if (current.length > 0 && bytes + size > maxBytes) {
      requests.push(current);
      current = [];
      bytes = 0;
    }
    current.push(row);
    bytes += size;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}

const CONTENT_REFUSALS = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_RECORD_BATCH',
]);

/** The broker refused the request for what it holds (the same request fails every time), not for being away. */
function refusedForContent(error: unknown): boolean {
  for (
    let e = error as { type?: unknown; cause?: unknown; originalError?: unknown } | undefined, depth = 0;
    e && depth < 5;
    depth++
  ) {
    if (typeof e.type === 'string' && CONTENT_REFUSALS.has(e.type)) return true;
    e = (e.cause ?? e.originalError) as typeof e;
  }
  return false;
}

function describeKafkaError(error: unknown): string {
  const e = error as { type?: unknown; message?: unknown };
  return [typeof e.type === 'string' ? `[${e.type}]` : '', typeof e.message === 'string' ? e.message : String(error)]
    .filter(Boolean)
    .join(' ');
}
