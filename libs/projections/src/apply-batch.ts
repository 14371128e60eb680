import type { PoolClient } from 'pg';
import { readEventsAfter } from '@caravan/ingest';
import { projectionLag, readCheckpoint, saveCheckpoint } from './checkpoints';
import type { Projection, TableNames } from './projection';
import { loadRates } from './rates';

export type BatchApplied = { read: number; applied: number; firstPosition: string; lastPosition: string; transactionId: string };
export type BatchOptions = { batchSize: number; timeZone: string; checkpointName?: string; onApplied?: (batch: BatchApplied) => void };

/**
 * Applies the next batch of events after the projection's checkpoint, in ONE transaction with
 * the checkpoint's move, on the given client (the one holding the projection's lock).
 * Resolves how many events were read (0: caught up).
 */
export async function applyNextBatch(client: PoolClient, projection: Projection, tables: TableNames, options: BatchOptions): Promise<number> {
  await client.query('BEGIN');
  try {
    // Shared with other batches, exclusive for a rebuild's swap: a swap never cuts a batch in two.
    await client.query('SELECT pg_advisory_xact_lock_shared(hashtext($1))', [swapLockName(projection)]);
    const read = await applyBatchInTransaction(client, projection, tables, options);
    await client.query(read > 0 ? 'COMMIT' : 'ROLLBACK');
    return read;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

export const swapLockName = (projection: Projection): string => `projection-swap:${projection.name}`;

/** One batch inside the caller's transaction; resolves how many events were read. */
export async function applyBatchInTransaction(client: PoolClient, projection: Projection, tables: TableNames, options: BatchOptions): Promise<number> {
  const name = options.checkpointName ?? projection.name;
  const checkpoint = await readCheckpoint(client, name);
  const events = await readEventsAfter(client, checkpoint, options.batchSize);
  const last = events[events.length - 1];
  if (!last) return 0;
  const relevant = events.filter((e) => projection.eventTypes.includes(e.type));
  if (relevant.length > 0) await projection.apply(client, relevant, tables, { timeZone: options.timeZone, rates: await loadRates(client) });
  const maxPosition = events.reduce((max, e) => (e.position > max ? e.position : max), 0n);
  await saveCheckpoint(client, name, { transactionId: last.transactionId, position: last.position }, relevant.length, maxPosition);
  options.onApplied?.({
    read: events.length,
    applied: relevant.length,
    firstPosition: String(events[0]?.position ?? last.position),
    lastPosition: last.position.toString(),
    transactionId: last.transactionId.toString(),
  });
  return events.length;
}

export async function ensureProjectionTables(client: PoolClient, projection: Projection, tables: TableNames): Promise<void> {
  for (const ddl of projection.ddl(tables)) await client.query(ddl);
}

/**
 * Applies batches until the projection's lag is 0. Committed events can stay unreadable a moment
 * while older transactions anywhere on the server run (the snapshot xmin), hence the short waits.
 */
export async function catchUp(
  client: PoolClient,
  projection: Projection,
  tables: TableNames,
  options: BatchOptions & { onBatch?: (appliedSoFar: number) => void },
  timeoutMs = 60_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let applied = 0;
  for (;;) {
    const read = await applyNextBatch(client, projection, tables, options);
    applied += read;
    if (read > 0) options.onBatch?.(applied);
    if (read > 0) continue;
    if ((await projectionLag(client, options.checkpointName ?? projection.name)) === 0) return applied;
    if (Date.now() > deadline) throw new Error(`${projection.name} did not catch up within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
