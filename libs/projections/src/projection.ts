import type { PoolClient } from 'pg';
import type { RateTable } from '@caravan/domain';
import type { StoredEvent } from '@caravan/ingest';

export type ProjectionContext = { timeZone: string; rates: RateTable };

/** Physical table names by logical name: live tables, or a rebuild's shadow set. */
export type TableNames = Record<string, string>;

/**
 * One read model: its name, the event types it folds, the DDL of its tables, and a function
 * that applies a batch of events (already in store order) by writing only the touched keys.
 */
export type Projection = {
  name: string;
  eventTypes: readonly string[];
  tables: readonly string[];
  ddl: (t: TableNames) => string[];
  apply: (client: PoolClient, events: StoredEvent[], t: TableNames, context: ProjectionContext) => Promise<void>;
};

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
