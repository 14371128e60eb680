import type { Pool } from 'pg';
import { quoteIdentifier, withTransaction } from '@caravan/database';
import type { Projection } from '@caravan/projections';
import type { Projector, Row } from './projection-spec';
import { projectAll, storeEvents } from './store-events';
import { createTestDatabase } from './test-database';

/**
 * Projects a spec's events in a fresh database of its own (migrated, dropped after): each batch
 * appended to the store as the ingestor does, then every projection given brought up to its head.
 * `setUp` runs first, on the empty store (a currency rate ops added, say).
 */
export function inPostgres(
  projections: Projection | readonly Projection[],
  options: { timeZone?: string; setUp?: (pool: Pool) => Promise<unknown> } = {},
): Projector {
  const list = 'name' in projections ? [projections] : projections;
  const timeZone = options.timeZone ?? 'Asia/Almaty';
  return {
    project: async (batches, tables) => {
      const db = await createTestDatabase();
      try {
        await options.setUp?.(db.pool);
        for (const batch of batches) {
          await storeEvents(db.pool, batch);
          await projectAll(db.pool, { timeZone }, list);
        }
        // Timestamps in UTC (+00:00), whatever the server's TimeZone.
        const read = (table: string) =>
          withTransaction(db.pool, async (client) => {
            await client.query(`SET LOCAL TIME ZONE 'UTC'`);
            const { rows } = await client.query<{ row: Row }>(
              `SELECT to_jsonb(t) AS row FROM ${quoteIdentifier(table)} t`,
            );
            return [table, rows.map((r) => r.row)] as const;
          });
        return Object.fromEntries(await Promise.all(tables.map(read)));
      } finally {
        await db.drop();
      }
    },
  };
}
