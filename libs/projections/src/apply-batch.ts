import type { PoolClient } from 'pg';
import { asRole, DATABASE_ROLES, withTransaction } from '@caravan/database';
import {
  nextRange,
  type Position,
  positionsIn,
  projectionProgress,
  readCheckpoint,
  readEventsIn,
  saveCheckpoint,
  type SetAsideEvent,
  type StoreRange,
} from '@caravan/event-store';
import type { Projection, TableNames } from './projection';
import { loadRates } from './rates';
import { classifyApplyError, setAside } from './set-aside';

export type BatchApplied = {
  read: number;
  applied: number;
  setAside: number;
  firstPosition: Position;
  lastPosition: Position;
};
export type BatchOptions = {
  batchSize: number;
  timeZone: string;
  checkpointName?: string;
  /** Apply no event beyond this position (a rebuild's swap brings two checkpoints to one place). */
  upTo?: Position;
  onApplied?: (batch: BatchApplied) => void;
  /** An event the projection could not apply, now set aside (and skipped). */
  onSetAside?: (event: SetAsideEvent) => void;
  /**
   * Whether the range is applied under a savepoint, so an event's failure can be isolated inside
   * the caller's transaction (the default). Without, a failure fails the transaction: for the
   * caller that tries again guarded (applyNextBatch), and so spends no savepoint on the batches
   * that go through, nearly all of them.
   */
  guarded?: boolean;
};

/**
 * Applies the next batch of events after the projection's checkpoint, in ONE transaction with
 * the checkpoint's move, on the given client (the one holding the projection's lock).
 * Resolves how many events were read (0: caught up). A batch that fails for an event's reason is
 * tried again in a new transaction, guarded: the event that fails is set aside, the rest applied.
 */
export async function applyNextBatch(
  client: PoolClient,
  projection: Projection,
  tables: TableNames,
  options: BatchOptions,
): Promise<number> {
  try {
    return await inBatchTransaction(client, projection, () =>
      applyBatchInTransaction(client, projection, tables, { ...options, guarded: false }),
    );
  } catch (error) {
    if (classifyApplyError(error) !== 'data') throw error;
  }
  return inBatchTransaction(client, projection, () =>
    applyBatchInTransaction(client, projection, tables, { ...options, guarded: true }),
  );
}

/** A batch's transaction: committed when it read events (an empty one is rolled back). */
function inBatchTransaction(client: PoolClient, projection: Projection, work: () => Promise<number>): Promise<number> {
  return withTransaction(
    client,
    async () => {
      // Shared with other batches, exclusive for a rebuild's swap: a swap never cuts a batch in two.
      await client.query('SELECT pg_advisory_xact_lock_shared(hashtext($1))', [swapLockName(projection)]);
      return work();
    },
    'BEGIN',
    (read) => read > 0,
  );
}

export const swapLockName = (projection: Projection): string => `projection-swap:${projection.name}`;

/**
 * One batch inside the caller's transaction: the next `batchSize` events of the store, of which
 * only the projection's own types are read (or none, for a projection applied inside PostgreSQL);
 * the checkpoint moves past all of them. Resolves how many events of the store it covered.
 *
 * No event can stop a projection: when the range fails (guarded, under a savepoint) for a reason
 * of an event's (see classifyApplyError), it is bisected under savepoints until the event that
 * fails is alone; that one is set aside for this checkpoint (projection_set_aside) and the rest
 * applied, all in this one transaction. A transient failure or a fault fails the batch.
 */
export async function applyBatchInTransaction(
  client: PoolClient,
  projection: Projection,
  tables: TableNames,
  options: BatchOptions,
): Promise<number> {
  const name = options.checkpointName ?? projection.name;
  const checkpoint = await readCheckpoint(client, name);
  const range = await nextRange(client, checkpoint, options.batchSize, options.upTo);
  if (!range) return 0;
  const isolated = { applied: 0, setAside: 0 };
  if (options.guarded === false) {
    isolated.applied = await applyRange(client, projection, tables, options, range);
  } else {
    await underSavepoint(client, 0, () =>
      applyRange(client, projection, tables, options, range).then((n) => void (isolated.applied += n)),
    ).catch(async (failed: unknown) => {
      if (classifyApplyError(failed) !== 'data') throw failed;
      await isolate(client, projection, tables, options, range, name, failed, isolated, 1);
    });
  }
  await saveCheckpoint(client, name, { from: checkpoint, to: range.upper, applied: isolated.applied });
  options.onApplied?.({
    read: range.count,
    applied: isolated.applied,
    setAside: isolated.setAside,
    firstPosition: range.after + 1,
    lastPosition: range.upper,
  });
  return range.count;
}

/** Applies a range of the store: inside PostgreSQL, or the projection's own events read and folded. */
async function applyRange(
  client: PoolClient,
  projection: Projection,
  tables: TableNames,
  options: BatchOptions,
  range: StoreRange,
): Promise<number> {
  if (projection.applyRange) return projection.applyRange(client, range, tables, { timeZone: options.timeZone });
  const events = await readEventsIn(client, range, projection.eventTypes);
  if (events.length > 0)
    await projection.apply(client, events, tables, { timeZone: options.timeZone, rates: await loadRates(client) });
  return events.length;
}

/** Runs `work` under a savepoint: rolled back to it (and rethrown) when it fails, so the transaction goes on. */
async function underSavepoint(client: PoolClient, depth: number, work: () => Promise<void>): Promise<void> {
  const savepoint = `caravan_apply_${depth}`;
  await client.query(`SAVEPOINT ${savepoint}`);
  try {
    await work();
    await client.query(`RELEASE SAVEPOINT ${savepoint}`);
  } catch (error) {
    // A lost connection cannot roll back: the original error is what the caller must see.
    await client.query(`ROLLBACK TO SAVEPOINT ${savepoint}`).catch(() => undefined);
    throw error;
  }
}

/** Bisects a failing range over the projection's own events until the failing one is alone, then sets it aside. */
async function isolate(
  client: PoolClient,
  projection: Projection,
  tables: TableNames,
  options: BatchOptions,
  range: StoreRange,
  name: string,
  error: unknown,
  done: { applied: number; setAside: number },
  depth: number,
): Promise<void> {
  const positions = await positionsIn(client, range, projection.eventTypes);
  // The failure follows no event of the projection's: not an event's to bear.
  if (positions.length === 0) throw error;
  if (positions.length === 1) {
    const event = await setAside(client, name, positions[0] as Position, error);
    done.setAside += 1;
    options.onSetAside?.(event);
    return;
  }
  const half = Math.ceil(positions.length / 2);
  const split = positions[half - 1] as Position;
  // count: the projection's own events in each half (what a projection of every type, the watermark, reports).
  const halves: StoreRange[] = [
    { after: range.after, upper: split, count: half },
    { after: split, upper: range.upper, count: positions.length - half },
  ];
  for (const part of halves) {
    await underSavepoint(client, depth, () =>
      applyRange(client, projection, tables, options, part).then((n) => void (done.applied += n)),
    ).catch(async (failed: unknown) => {
      if (classifyApplyError(failed) !== 'data') throw failed;
      await isolate(client, projection, tables, options, part, name, failed, done, depth + 1);
    });
  }
}

export async function ensureProjectionTables(
  client: PoolClient,
  projection: Projection,
  tables: TableNames,
): Promise<void> {
  // Created as the projector's role: whichever login runs the next projector owns them too.
  await asRole(client, DATABASE_ROLES.projector, async () => {
    for (const ddl of projection.ddl(tables)) await client.query(ddl);
  });
}

/**
 * Applies batches until the projection's lag is 0. An append that commits between the last read
 * and the count of the lag is read on the next round, after a short wait.
 */
export async function catchUp(
  client: PoolClient,
  projection: Projection,
  tables: TableNames,
  options: BatchOptions & { onBatch?: (appliedSoFar: number) => void; signal?: AbortSignal },
  timeoutMs = 60_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let applied = 0;
  for (;;) {
    // Between two batches (each committed with its checkpoint): where a rebuild may stop.
    options.signal?.throwIfAborted();
    const read = await applyNextBatch(client, projection, tables, options);
    applied += read;
    if (read > 0) options.onBatch?.(applied);
    if (read > 0) continue;
    // Up to a given position: reached once nothing below it is left (every event there is committed).
    if (options.upTo !== undefined) return applied;
    const [progress] = await projectionProgress(client, [options.checkpointName ?? projection.name]);
    if (progress?.lagEvents === 0) return applied;
    if (Date.now() > deadline) throw new Error(`${projection.name} did not catch up within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
