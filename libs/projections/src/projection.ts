import type { PoolClient } from 'pg';
import type { RateTable } from '@caravan/domain';
import type { StoredEvent, StoreRange } from '@caravan/event-store';

export type ProjectionContext = { timeZone: string; rates: RateTable };
export type RangeContext = { timeZone: string };

/** Physical table names by logical name: live tables, or a rebuild's shadow set. */
export type TableNames = Record<string, string>;

/**
 * One read model: its name, the event types it folds, the DDL of its tables, and either a
 * function that applies a batch of its events (read for it, in store order) by writing only the
 * touched keys, or one that applies a range of the store inside PostgreSQL without reading it.
 */
export type Projection = {
  name: string;
  eventTypes: readonly string[];
  tables: readonly string[];
  ddl: (t: TableNames) => string[];
} & (
  | {
      apply: (client: PoolClient, events: StoredEvent[], t: TableNames, context: ProjectionContext) => Promise<void>;
      applyRange?: never;
    }
  /** Resolves how many of the range's events were the projection's own. */
  | {
      applyRange: (client: PoolClient, range: StoreRange, t: TableNames, context: RangeContext) => Promise<number>;
      apply?: never;
    }
);

/** The live table names of a projection: the logical names themselves; a suffix gives a shadow set. */
export function tableNames(projection: Projection, suffix = ''): TableNames {
  return Object.fromEntries(projection.tables.map((t) => [t, `${t}${suffix}`]));
}

/** Table name of `logical` in `t`, refusing unknown names (they end up in SQL text). */
export function table(t: TableNames, logical: string): string {
  const name = t[logical];
  if (!name || !/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`bad table ${logical} → ${name}`);
  return name;
}

/**
 * The projector's hand-off to the publisher (migration 0021): per physical daily table and local
 * day, the position of the last batch that wrote there, upserted in the batch's transaction. The
 * publisher reads again only the days written after the position it last saw for a table.
 */
export const DAYS_CHANGED_TABLE = 'aggregate_days_changed';

/**
 * A statement's CTE that marks the days of `daysFrom` (a relation with a `day` column) as written
 * by table `$tableParam` up to position `$positionParam`, in the statement that wrote them.
 */
export function markDaysCte(daysFrom: string, tableParam: string, positionParam: string): string {
  return `INSERT INTO ${DAYS_CHANGED_TABLE} AS c (table_name, day, position)
         SELECT ${tableParam}::text, day, ${positionParam}::bigint FROM ${daysFrom} GROUP BY day
         ON CONFLICT (table_name, day) DO UPDATE SET position = greatest(c.position, EXCLUDED.position)`;
}
