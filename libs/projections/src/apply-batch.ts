import type { PoolClient } from 'pg';
import { nextRange, readEventsIn } from '@caravan/ingest';
import { projectionLag, readCheckpoint, saveCheckpoint } from './checkpoints';
import type { Projection, TableNames } from './projection';
import { loadRates } from './rates';

export type BatchApplied = { read: number; applied: number; firstPosition: string; lastPosition: string };
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

/**
 * One batch inside the caller's transaction: the next `batchSize` events of the store, of which
 * only the projection's own types are read (or none, for a projection applied inside PostgreSQL);
 * the checkpoint moves past all of them. Resolves how many events of the store it covered.
 */
export async function applyBatchInTransaction(client: PoolClient, projection: Projection, tables: TableNames, options: BatchOptions): Promise<number> {
  const name = options.checkpointName ?? projection.name;
  const checkpoint = await readCheckpoint(client, name);
  const range = await nextRange(client, checkpoint, options.batchSize);
  if (!range) return 0;
  let applied: number;
  if (projection.applyRange) {
    applied = await projection.applyRange(client, range, tables, { timeZone: options.timeZone });
  } else {
    const events = await readEventsIn(client, range, projection.eventTypes);
    applied = events.length;
    if (events.length > 0) await projection.apply(client, events, tables, { timeZone: options.timeZone, rates: await loadRates(client) });
  }
  await saveCheckpoint(client, name, { position: range.upper }, applied);
  options.onApplied?.({ read: range.count, applied, firstPosition: (range.after + 1n).toString(), lastPosition: range.upper.toString() });
  return range.count;
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
