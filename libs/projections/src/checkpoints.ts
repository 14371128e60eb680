import type { PoolClient, Pool } from 'pg';
import { START_OF_STORE, type StoreCheckpoint } from '@caravan/ingest';

export async function readCheckpoint(client: PoolClient | Pool, name: string): Promise<StoreCheckpoint> {
  const { rows } = await client.query<{ position: string }>(
    'SELECT position::text FROM projection_checkpoints WHERE name = $1',
    [name],
  );
  const row = rows[0];
  return row ? { position: BigInt(row.position) } : START_OF_STORE;
}

/** Moves a projection's checkpoint; called inside the transaction of the projection's writes. */
export async function saveCheckpoint(
  client: PoolClient,
  name: string,
  at: StoreCheckpoint,
  applied: number,
): Promise<void> {
  await client.query(
    `INSERT INTO projection_checkpoints (name, position, events_applied) VALUES ($1, $2, $3)
     ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position,
       events_applied = projection_checkpoints.events_applied + EXCLUDED.events_applied, updated_at = now()`,
    [name, at.position.toString(), applied],
  );
}

export async function resetCheckpoint(client: PoolClient, name: string): Promise<void> {
  await client.query('DELETE FROM projection_checkpoints WHERE name = $1', [name]);
}

/** Committed events in the store beyond a projection's checkpoint: its lag. */
export async function projectionLag(client: PoolClient | Pool, name: string): Promise<number> {
  const checkpoint = await readCheckpoint(client, name);
  const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM events WHERE position > $1::bigint', [
    checkpoint.position.toString(),
  ]);
  return Number(rows[0]?.n ?? 0);
}
