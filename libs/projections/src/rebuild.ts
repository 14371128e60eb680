import type { Pool, PoolClient } from 'pg';
import { releaseSessionLock, takeSessionLock, withTransaction } from '@caravan/database';
import { adoptCheckpoint, headPosition, type Position, readCheckpoint, resetCheckpoint } from '@caravan/event-store';
import { applyBatchInTransaction, catchUp, ensureProjectionTables, swapLockName } from './apply-batch';
import { type RebuildReport, RequestBusy, type TableDifference } from '@caravan/requests';
import { type Projection, table, tableNames } from './projection';

export type RebuildOptions = {
  timeZone: string;
  batchSize: number;
  swap?: boolean;
  log?: (line: string) => void;
  onProgress?: (eventsReplayed: number) => void;
  /** Once aborted, the rebuild stops between two batches, or before its swap, throwing the signal's reason. */
  signal?: AbortSignal;
  /**
   * Runs last inside the swap's transaction: throwing rolls the swap back. A request's executor
   * checks there that its claim is still current (a takeover's rebuild must be the one that swaps).
   */
  beforeCommit?: (client: PoolClient, eventsReplayed: number) => Promise<void>;
};

const SHADOW = '_rebuild';
const RETIRED = '_retired';

/**
 * Rebuilds a projection from position 0 into a shadow set of tables while the live ones keep
 * serving and the live runner keeps running. Then, in ONE transaction that pauses the live
 * runner between batches: brings the shadow and the live tables to the same checkpoint, reports
 * every row on which they differ, and swaps the shadow in by renaming (queries already waiting
 * on the old tables read them, renamed, and do not fail; they are dropped at the next rebuild).
 */
export async function rebuildProjection(
  pool: Pool,
  projection: Projection,
  options: RebuildOptions,
): Promise<RebuildReport> {
  const log = options.log ?? (() => undefined);
  const live = tableNames(projection);
  const shadow = tableNames(projection, SHADOW);
  const shadowCheckpoint = `${projection.name}${SHADOW}`;
  const lock = `projection-rebuild:${projection.name}`;
  const client = await takeSessionLock(pool, lock);
  if (!client) throw new RequestBusy(`a rebuild of ${projection.name} is already running`);
  try {
    for (const t of projection.tables) {
      await client.query(`DROP TABLE IF EXISTS ${table(shadow, t)}`);
      await client.query(`DROP TABLE IF EXISTS ${table(tableNames(projection, RETIRED), t)}`);
    }
    await resetCheckpoint(client, shadowCheckpoint);
    await client.query('DELETE FROM projection_set_aside WHERE projection = $1', [shadowCheckpoint]);
    await ensureProjectionTables(client, projection, shadow);
    await ensureProjectionTables(client, projection, live);
    log(`${projection.name}: replaying the event store into ${Object.values(shadow).join(', ')}`);
    // Up to the head as it is now (what comes meanwhile is applied in the swap), with no time
    // limit: a large store takes as long as it takes, and a busy one cannot keep it chasing.
    let eventsReplayed = await catchUp(
      client,
      projection,
      shadow,
      {
        batchSize: options.batchSize,
        timeZone: options.timeZone,
        checkpointName: shadowCheckpoint,
        onBatch: options.onProgress,
        signal: options.signal,
        upTo: await headPosition(client),
      },
      Number.MAX_SAFE_INTEGER,
    );
    log(`${projection.name}: ${eventsReplayed} events replayed; comparing and swapping`);
    options.signal?.throwIfAborted();

    return await withTransaction(client, async () => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [swapLockName(projection)]);
      // Both up to the head of the store as it is now, exactly: events appended meanwhile are the
      // live runner's once the swap is done (chasing them could go on for as long as they come).
      const batch = { batchSize: options.batchSize, timeZone: options.timeZone, upTo: await headPosition(client) };
      // Where each checkpoint is left by these catch-ups: the swap expects them there.
      const at = {
        shadow: await readCheckpoint(client, shadowCheckpoint),
        live: await readCheckpoint(client, projection.name),
      };
      for (;;) {
        const read = await applyBatchInTransaction(client, projection, shadow, {
          ...batch,
          checkpointName: shadowCheckpoint,
          onApplied: (b) => void (at.shadow = b.lastPosition),
        });
        if (read === 0) break;
        eventsReplayed += read;
      }
      const onApplied = (b: { lastPosition: Position }) => void (at.live = b.lastPosition);
      while ((await applyBatchInTransaction(client, projection, live, { ...batch, onApplied })) > 0);
      const differences = await compareTables(client, projection, live, shadow);
      const { rows: aside } = await client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM projection_set_aside WHERE projection = $1',
        [shadowCheckpoint],
      );
      if (options.swap !== false) await swap(client, projection, shadowCheckpoint, at);
      await options.beforeCommit?.(client, eventsReplayed);
      return {
        projection: projection.name,
        eventsReplayed,
        differences,
        swapped: options.swap !== false,
        setAside: aside[0]?.n ?? 0,
      };
    });
  } finally {
    await releaseSessionLock(client, lock);
  }
}

async function swap(
  client: PoolClient,
  projection: Projection,
  shadowCheckpoint: string,
  at: { live: Position; shadow: Position },
): Promise<void> {
  const live = tableNames(projection);
  const shadow = tableNames(projection, SHADOW);
  const retired = tableNames(projection, RETIRED);
  for (const t of projection.tables) {
    await client.query(`ALTER TABLE ${table(live, t)} RENAME TO ${table(retired, t)}`);
    await client.query(`ALTER TABLE ${table(shadow, t)} RENAME TO ${table(live, t)}`);
  }
  // The live checkpoint becomes the rebuilt one (both are at the same place after the catch-up).
  await adoptCheckpoint(client, projection.name, shadowCheckpoint, { name: at.live, from: at.shadow });
  // What the live projection had set aside is replaced by what the rebuild could not apply either.
  await client.query('DELETE FROM projection_set_aside WHERE projection = $1', [projection.name]);
  await client.query('UPDATE projection_set_aside SET projection = $1 WHERE projection = $2', [
    projection.name,
    shadowCheckpoint,
  ]);
}

/** Rows present or different on one side only, per table, compared on every column. */
async function compareTables(
  client: PoolClient,
  projection: Projection,
  live: Record<string, string>,
  shadow: Record<string, string>,
): Promise<TableDifference[]> {
  const differences: TableDifference[] = [];
  for (const t of projection.tables) {
    const a = table(live, t);
    const b = table(shadow, t);
    const { rows } = await client.query<{ live: unknown; rebuilt: unknown; total: string }>(
      `WITH only_live AS (SELECT * FROM ${a} EXCEPT SELECT * FROM ${b}),
            only_rebuilt AS (SELECT * FROM ${b} EXCEPT SELECT * FROM ${a}),
            diff AS (SELECT to_jsonb(l) AS live, NULL::jsonb AS rebuilt FROM only_live l
                     UNION ALL SELECT NULL, to_jsonb(r) FROM only_rebuilt r)
       SELECT live, rebuilt, count(*) OVER ()::text AS total FROM diff LIMIT 20`,
    );
    if (rows.length > 0)
      differences.push({
        table: t,
        differingRows: Number(rows[0]?.total ?? 0),
        examples: rows.map(({ live: l, rebuilt: r }) => ({ live: l, rebuilt: r })),
      });
  }
  return differences;
}
