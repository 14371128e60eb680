import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'pg';
import { rejection, validateRecord, type ValidationContext, type ValidationResult } from '@caravan/contract';
import { classifyPgError, describePgError, type FailureKind } from '@caravan/database';
import { type BatchInput, type BatchResult, ingestBatches } from './ingest-batch';
import type { KafkaRecord } from '@caravan/kafka';

/** The kinds of failed ingest transaction (a `data` one is a rejected record, not a failure). */
export const INGEST_FAILURE_KINDS = ['transient', 'fault'] as const satisfies ReadonlyArray<FailureKind>;
export type IngestFailure = {
  kind: (typeof INGEST_FAILURE_KINDS)[number];
  error: unknown;
  attempt: number;
  retryInMs: number;
};

export type ResilienceOptions = {
  context: Omit<ValidationContext, 'nowMs'>;
  /** Ends the retries (shutdown): the pending call rejects with the abort reason. */
  signal?: AbortSignal;
  /** Each failed attempt that will be retried: for logs, metrics and health. */
  onFailure?: (failure: IngestFailure) => void;
  /** Each record the store refused, now rejected as `unstorable`. */
  onUnstorable?: (record: KafkaRecord, reason: string) => void;
  backoff?: { initialMs: number; maxMs: number };
};

const DEFAULT_BACKOFF = { initialMs: 200, maxMs: 10_000 };

/** A data error that isolating cannot pin on one record: an `unstorable` rejection was refused too. */
class SystemicDataError extends Error {
  constructor(override readonly cause: unknown) {
    super(`the store refuses even an unstorable rejection: ${describePgError(cause)}`);
  }
}

/**
 * Ingests a group of partition batches whatever PostgreSQL does (Kafka Connect's
 * errors.tolerance, per record):
 * - a transient failure (lost connection, restart, deadlock, timeout) or a fault (a defect, a
 *   permission) is retried with backoff until it succeeds or `signal` aborts: no record is
 *   skipped for it, and `onFailure` makes it visible;
 * - a data error (PostgreSQL refuses a value validation let through) is isolated: the group is
 *   split, then the batch bisected, so every clean part still goes in set-based, until the one
 *   record the store refuses is alone; it is rejected as `unstorable` with the database's reason
 *   (and reaches the DLQ like any rejection), and the records after it go on.
 * Each part commits its records, counters and offset together, so the counts still add up.
 */
export async function ingestResilient(
  pool: Pool,
  inputs: BatchInput[],
  options: ResilienceOptions,
): Promise<BatchResult[]> {
  return withRetries(options, async () => {
    try {
      return await ingestBatches(pool, inputs, options.context);
    } catch (error) {
      if (classifyPgError(error) !== 'data') throw error;
      return isolate(pool, inputs, error, options);
    }
  });
}

async function withRetries<T>(options: ResilienceOptions, work: () => Promise<T>): Promise<T> {
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await work();
    } catch (error) {
      // A data error reaching here was isolated as far as it goes: a fault, retried like one.
      const kind = error instanceof SystemicDataError ? 'fault' : classifyPgError(error);
      const retryInMs =
        Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt - 1, 16)) * (0.75 + Math.random() / 2);
      options.onFailure?.({ kind: kind === 'transient' ? 'transient' : 'fault', error, attempt, retryInMs });
      await pause(retryInMs, options.signal);
    }
  }
}

/** Waits, or rejects with the signal's reason as soon as it aborts. */
async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(ms, undefined, signal ? { signal } : undefined);
  } catch (error) {
    throw signal?.aborted ? signal.reason : error;
  }
}

async function isolate(
  pool: Pool,
  inputs: BatchInput[],
  error: unknown,
  options: ResilienceOptions,
): Promise<BatchResult[]> {
  if (inputs.length > 1) {
    const half = Math.ceil(inputs.length / 2);
    const first = await ingestResilient(pool, inputs.slice(0, half), options);
    return [...first, ...(await ingestResilient(pool, inputs.slice(half), options))];
  }
  const input = inputs[0] as BatchInput;
  if (input.records.length > 1) return [await bisect(pool, input, options)];
  if (input.records.length === 1) return [await rejectAsUnstorable(pool, input, error, options)];
  throw new SystemicDataError(error);
}

/** The two halves of one partition's batch, in order, each covering its own offsets; one result. */
async function bisect(pool: Pool, input: BatchInput, options: ResilienceOptions): Promise<BatchResult> {
  const half = Math.ceil(input.records.length / 2);
  const split = (input.records[half] as KafkaRecord).offset;
  const { fromOffset, nextOffset, ...rest } = input;
  const left: BatchInput = {
    ...rest,
    records: input.records.slice(0, half),
    validated: input.validated?.slice(0, half),
    nextOffset: split,
    ...(fromOffset !== undefined ? { fromOffset } : {}),
  };
  const right: BatchInput = {
    ...rest,
    records: input.records.slice(half),
    validated: input.validated?.slice(half),
    fromOffset: split,
    acceptGap: false,
    ...(nextOffset !== undefined ? { nextOffset } : {}),
  };
  const [a] = (await ingestResilient(pool, [left], options)) as [BatchResult];
  if (!isProgress(a)) return a;
  const [b] = (await ingestResilient(pool, [right], options)) as [BatchResult];
  return isProgress(b) ? merged(a, b) : b;
}

type Progress = Extract<BatchResult, { kind: 'ingested' | 'nothing-new' }>;
const isProgress = (r: BatchResult): r is Progress => r.kind === 'ingested' || r.kind === 'nothing-new';

function merged(a: Progress, b: Progress): BatchResult {
  if (a.kind === 'nothing-new' && b.kind === 'nothing-new')
    return { kind: 'nothing-new', skipped: a.skipped + b.skipped, nextOffset: b.nextOffset };
  const counts = (r: typeof a) =>
    r.kind === 'ingested' ? r : { consumed: 0, accepted: 0, duplicate: 0, rejected: 0, skipped: r.skipped };
  const x = counts(a);
  const y = counts(b);
  return {
    kind: 'ingested',
    consumed: x.consumed + y.consumed,
    accepted: x.accepted + y.accepted,
    duplicate: x.duplicate + y.duplicate,
    rejected: x.rejected + y.rejected,
    skipped: x.skipped + y.skipped,
    nextOffset: b.nextOffset > a.nextOffset ? b.nextOffset : a.nextOffset,
  };
}

/**
 * The one record the store refuses: kept as an `unstorable` rejection (its bytes as they came, the database's reason).
 */
async function rejectAsUnstorable(
  pool: Pool,
  input: BatchInput,
  error: unknown,
  options: ResilienceOptions,
): Promise<BatchResult> {
  const record = input.records[0] as KafkaRecord;
  const before: ValidationResult =
    input.validated?.[0] ?? validateRecord(record.value, { ...options.context, nowMs: Date.now() });
  const eventId = before.ok ? before.event.eventId : before.eventId;
  const reason = describePgError(error);
  const unstorable: ValidationResult = {
    ok: false,
    rejection: rejection('unstorable', reason),
    ...(eventId ? { eventId } : {}),
  };
  // Refused again, the fault is not this record's: retried (and shown) until it is fixed.
  const [result] = await withRetries(options, async () => {
    try {
      return await ingestBatches(pool, [{ ...input, validated: [unstorable] }], options.context);
    } catch (e) {
      throw classifyPgError(e) === 'data' ? new SystemicDataError(e) : e;
    }
  });
  options.onUnstorable?.(record, unstorable.rejection.detail);
  return result as BatchResult;
}
