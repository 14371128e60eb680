import type { Pool, PoolClient } from 'pg';
import { CHECKPOINTS_TABLE } from './events';
import { type Position, positionOf, START_OF_STORE } from './position';

type Db = Pool | PoolClient;

/** A checkpoint was not where its writer read it: another writer moved it (a fault: each has one). */
export class CheckpointConflict extends Error {
  constructor(name: string, expected: Position) {
    super(`checkpoint ${name} is no longer at ${expected}: another writer moved it`);
    this.name = 'CheckpointConflict';
  }
}

/** Where a reader of the store (a projection, a rebuild's shadow) has got to: START_OF_STORE before its first batch. */
export async function readCheckpoint(db: Db, name: string): Promise<Position> {
  const { rows } = await db.query<{ position: string }>(
    `SELECT position::text FROM ${CHECKPOINTS_TABLE} WHERE name = $1`,
    [name],
  );
  return positionOf(rows[0]?.position);
}

/** The checkpoints that exist among `names`. */
export async function readCheckpoints(db: Db, names: readonly string[]): Promise<Map<string, Position>> {
  const { rows } = await db.query<{ name: string; position: string }>(
    `SELECT name, position::text FROM ${CHECKPOINTS_TABLE} WHERE name = ANY($1::text[])`,
    [[...names]],
  );
  return new Map(rows.map((r) => [r.name, positionOf(r.position)]));
}

/**
 * Moves a checkpoint from where its writer read it to `to`, inside the transaction of the writes
 * it covers; `applied` events are added to its count. Throws CheckpointConflict when it is not at
 * `from` any more (as Emmett's checkpoint store does): the writes must not commit then.
 */
export async function saveCheckpoint(
  client: PoolClient,
  name: string,
  move: { from: Position; to: Position; applied: number },
): Promise<void> {
  const updated = await client.query(
    `UPDATE ${CHECKPOINTS_TABLE} SET position = $3, events_applied = events_applied + $4, updated_at = now()
     WHERE name = $1 AND position = $2`,
    [name, move.from, move.to, move.applied],
  );
  if (updated.rowCount === 1) return;
  if (move.from === START_OF_STORE) {
    const inserted = await client.query(
      `INSERT INTO ${CHECKPOINTS_TABLE} (name, position, events_applied) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO NOTHING`,
      [name, move.to, move.applied],
    );
    if (inserted.rowCount === 1) return;
  }
  throw new CheckpointConflict(name, move.from);
}

/** Removes a checkpoint: its reader starts again from the start of the store. */
export async function resetCheckpoint(client: PoolClient, name: string): Promise<void> {
  await client.query(`DELETE FROM ${CHECKPOINTS_TABLE} WHERE name = $1`, [name]);
}

/**
 * The checkpoint `name` takes the place and the count of `from`'s (a rebuild's shadow), which goes;
 * both must be where their writer left them (`expected`), or CheckpointConflict: the swap must
 * not commit over a move it did not see.
 */
export async function adoptCheckpoint(
  client: PoolClient,
  name: string,
  from: string,
  expected: { name: Position; from: Position },
): Promise<void> {
  const adopted = await client.query(
    `UPDATE ${CHECKPOINTS_TABLE} l SET position = s.position, events_applied = s.events_applied, updated_at = now()
     FROM ${CHECKPOINTS_TABLE} s WHERE l.name = $1 AND s.name = $2 AND l.position = $3 AND s.position = $4`,
    [name, from, expected.name, expected.from],
  );
  if (adopted.rowCount !== 1) {
    // Neither has a row yet (an empty store): nothing to adopt, nothing moved.
    const rows = await readCheckpoints(client, [name, from]);
    const untouched = [name, from].every((n) => !rows.has(n));
    if (!(untouched && expected.name === START_OF_STORE && expected.from === START_OF_STORE)) {
      const moved = rows.get(from) !== expected.from ? from : name;
      throw new CheckpointConflict(moved, moved === from ? expected.from : expected.name);
    }
  }
  await resetCheckpoint(client, from);
}
