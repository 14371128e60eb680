import type { PoolClient } from 'pg';
import { type Scope, scopeKey, type WindowName } from '@caravan/contract';
import { addDays, type DayRange, type KpiWindow } from '@caravan/domain';
import { type KpiFamily, KPI_FAMILIES } from './kpi-families';
import { byRank, ident, type KpiValue, type RankEntry, type RankValue, scopeOfRow } from './read-kpis';

/**
 * The publisher's sums per local day, kept between runs (issue 18): a run reads again only the
 * days the projector wrote since the last run (its hand-off, aggregate_days_changed) and the days a
 * window newly reaches, and moves each window's sums by the difference, instead of summing every
 * window's days of every daily table again. The values are those readFamily and readDestinationRank
 * give over the same snapshot of the tables, to the cent (integers throughout; cents are divided
 * last, as there); `verify` compares the two.
 */

/** One scope's sums on a day (for the rank: one scope's and one destination's bookings). */
type DayEntry = { group: string; scope: Scope; sub: string; sums: number[] };

/** What is kept per day of a daily table: a KPI family's sums, or the destination rank's. */
type Reader = {
  id: string;
  table: string;
  width: number;
  read: (client: PoolClient, days: string[]) => Promise<Map<string, DayEntry[]>>;
};

function familyReader(family: KpiFamily): Reader {
  const dims = family.dimensions.map(ident);
  const measures = Object.values(family.measures);
  return {
    id: `family:${family.table}:${Object.keys(family.measures).join(',')}`,
    table: ident(family.table),
    width: measures.length,
    read: async (client, days) => {
      const { rows } = await client.query<Record<string, string | number | null>>(
        `SELECT to_char(day, 'YYYY-MM-DD') AS day, ${dims.map((d) => `GROUPING(${d})::int AS g_${d}, ${d}`).join(', ')},
                ${measures.map((m, i) => `sum(${m.sql})::text AS s_${i}`).join(', ')}
         FROM ${ident(family.table)} WHERE day = ANY($1::date[])
         GROUP BY day, GROUPING SETS ((), ${dims.map((d) => `(${d})`).join(', ')})`,
        [days],
      );
      const byDay = new Map<string, DayEntry[]>();
      for (const row of rows) {
        const scope = scopeOfRow(dims, row);
        if (!scope) continue;
        const entry = {
          group: scopeKey(scope),
          scope,
          sub: '',
          sums: measures.map((_, i) => Number(row[`s_${i}`])),
        };
        const day = String(row.day);
        const list = byDay.get(day);
        if (list) list.push(entry);
        else byDay.set(day, [entry]);
      }
      return byDay;
    },
  };
}

const rankReader: Reader = {
  id: 'rank:bookings_daily',
  table: 'bookings_daily',
  width: 1,
  read: async (client, days) => {
    const { rows } = await client.query<{
      day: string;
      g_market: number;
      market: string | null;
      destination: string;
      s: string;
    }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, GROUPING(market)::int AS g_market, market, destination, sum(bookings)::text AS s
       FROM bookings_daily WHERE day = ANY($1::date[])
       GROUP BY day, GROUPING SETS ((destination), (market, destination))`,
      [days],
    );
    const byDay = new Map<string, DayEntry[]>();
    for (const row of rows) {
      const scope: Scope = row.g_market === 0 && row.market !== null ? { market: row.market } : {};
      const entry = { group: scope.market ?? '*', scope, sub: row.destination, sums: [Number(row.s)] };
      const list = byDay.get(row.day);
      if (list) list.push(entry);
      else byDay.set(row.day, [entry]);
    }
    return byDay;
  },
};

/** A window's sums: per scope (and destination), this period's and the year-earlier one's, with how many days gave each. */
type Cell = { cur: number[]; prev: number[]; curDays: number; prevDays: number };
type Group = { scope: Scope; cells: Map<string, Cell> };

const inRange = (day: string, range: DayRange): boolean => day >= range.from && day <= range.to;
const sameRange = (a: DayRange, b: DayRange): boolean => a.from === b.from && a.to === b.to;

class WindowSums {
  readonly groups = new Map<string, Group>();

  constructor(
    readonly window: KpiWindow,
    private readonly width: number,
  ) {}

  covers(window: KpiWindow): boolean {
    return sameRange(this.window.current, window.current) && sameRange(this.window.previous, window.previous);
  }

  /** Adds (sign 1) or takes back (-1) a day's entries, to each period the day is in. */
  apply(day: string, entries: readonly DayEntry[] | undefined, sign: 1 | -1): void {
    if (!entries) return;
    const cur = inRange(day, this.window.current);
    const prev = inRange(day, this.window.previous);
    if (!cur && !prev) return;
    for (const e of entries) {
      let group = this.groups.get(e.group);
      if (!group) {
        group = { scope: e.scope, cells: new Map() };
        this.groups.set(e.group, group);
      }
      let cell = group.cells.get(e.sub);
      if (!cell) {
        cell = {
          cur: new Array<number>(this.width).fill(0),
          prev: new Array<number>(this.width).fill(0),
          curDays: 0,
          prevDays: 0,
        };
        group.cells.set(e.sub, cell);
      }
      for (let i = 0; i < this.width; i++) {
        const v = sign * (e.sums[i] as number);
        if (cur) cell.cur[i] = (cell.cur[i] as number) + v;
        if (prev) cell.prev[i] = (cell.prev[i] as number) + v;
      }
      if (cur) cell.curDays += sign;
      if (prev) cell.prevDays += sign;
      // No day in either period has this scope any more: it is not in the window (as in a GROUP BY).
      if (cell.curDays === 0 && cell.prevDays === 0) {
        group.cells.delete(e.sub);
        if (group.cells.size === 0) this.groups.delete(e.group);
      }
    }
  }
}

/** Every day of a range, in order. */
function daysOf(range: DayRange): string[] {
  const days: string[] = [];
  for (let d = range.from; d <= range.to; d = addDays(d, 1)) days.push(d);
  return days;
}

/**
 * `settled`: read at least once since its oid last changed. The oid is read from the catalog as it
 * is now, the rows from the transaction's snapshot: a rebuild's swap committed between the two
 * gives the new oid with rows from before the swap's last writes (marked under the shadow's name),
 * so a table is read afresh once more on the run after its oid was first seen or changed.
 */
type TableState = { oid: string; since: number; days: Set<string>; settled: boolean };
type ReaderState = { days: Map<string, DayEntry[]>; windows: Map<WindowName, WindowSums> };

export type WindowValues = { window: KpiWindow; values: KpiValue[]; ranks: RankValue[] };

/** What a run did: the days it read again, and whether it started over (a first run, a table replaced by a rebuild). */
export type DaySumsRun = { daysRead: number; reloaded: string[] };

export class DaySums {
  /** Each family with its reader, then the rank's reader: what a run reads. */
  private readonly families: Array<{ family: KpiFamily; reader: Reader }>;
  private readonly readers: Reader[];
  private readonly tables = new Map<string, TableState>();
  private readonly state = new Map<string, ReaderState>();
  private needed: { key: string; days: Set<string> } | undefined;

  constructor(families: readonly KpiFamily[] = KPI_FAMILIES) {
    this.families = families.map((family) => ({ family, reader: familyReader(family) }));
    this.readers = [...this.families.map((f) => f.reader), rankReader];
  }

  /** Forgets everything: the next run reads every day it needs. */
  reset(): void {
    this.tables.clear();
    this.state.clear();
    this.needed = undefined;
  }

  /**
   * Brings the sums up to the snapshot of `client`'s transaction (REPEATABLE READ: the hand-off,
   * the tables and the checkpoints read together) and returns every window's values.
   */
  async update(
    client: PoolClient,
    windows: readonly KpiWindow[],
  ): Promise<{ values: WindowValues[]; run: DaySumsRun }> {
    const tableNames = [...new Set(this.readers.map((r) => r.table))];
    const run: DaySumsRun = { daysRead: 0, reloaded: [] };
    // A table replaced (a rebuild's swap renames its shadow in) holds other rows: start it over.
    const { rows: oids } = await client.query<{ t: string; oid: string | null }>(
      'SELECT t, to_regclass(t)::oid::text AS oid FROM unnest($1::text[]) AS t',
      [tableNames],
    );
    for (const { t, oid } of oids) {
      if (oid === null) throw new Error(`${t} is missing`);
      const known = this.tables.get(t);
      if (known?.oid === oid && known.settled) continue;
      this.tables.set(t, { oid, since: -1, days: new Set(), settled: known?.oid === oid });
      for (const r of this.readers) if (r.table === t) this.state.set(r.id, { days: new Map(), windows: new Map() });
      run.reloaded.push(t);
    }
    // The days written since the last run, per table (a table's batches write rising positions).
    const { rows: written } = await client.query<{ table_name: string; day: string; position: string }>(
      `SELECT c.table_name, to_char(c.day, 'YYYY-MM-DD') AS day, c.position::text AS position
       FROM aggregate_days_changed c JOIN unnest($1::text[], $2::bigint[]) AS s(t, since)
         ON c.table_name = s.t AND c.position > s.since`,
      [tableNames, tableNames.map((t) => this.tables.get(t)?.since ?? -1)],
    );
    const changed = new Map<string, Set<string>>(tableNames.map((t) => [t, new Set()]));
    for (const w of written) {
      changed.get(w.table_name)?.add(w.day);
      const table = this.tables.get(w.table_name) as TableState;
      table.since = Math.max(table.since, Number(w.position));
    }
    const needed = this.neededDays(windows);
    for (const t of tableNames) {
      const table = this.tables.get(t) as TableState;
      const written = changed.get(t) as Set<string>;
      const toRead = [...needed].filter((d) => !table.days.has(d) || written.has(d));
      const gone = [...table.days].filter((d) => !needed.has(d));
      run.daysRead += toRead.length;
      for (const reader of this.readers.filter((r) => r.table === t)) {
        const state = this.state.get(reader.id) as ReaderState;
        const fresh = toRead.length > 0 ? await reader.read(client, toRead) : new Map<string, DayEntry[]>();
        for (const window of windows) {
          const sums = state.windows.get(window.name);
          if (!sums?.covers(window)) continue;
          for (const day of toRead) {
            sums.apply(day, state.days.get(day), -1);
            sums.apply(day, fresh.get(day) ?? [], 1);
          }
        }
        for (const day of toRead) state.days.set(day, fresh.get(day) ?? []);
        for (const day of gone) state.days.delete(day);
        // A window that moved (a new day) is summed again from the days kept.
        for (const window of windows) {
          if (state.windows.get(window.name)?.covers(window)) continue;
          const sums = new WindowSums(window, reader.width);
          for (const range of [window.current, window.previous])
            for (const day of daysOf(range)) sums.apply(day, state.days.get(day), 1);
          state.windows.set(window.name, sums);
        }
      }
      for (const day of toRead) table.days.add(day);
      for (const day of gone) table.days.delete(day);
    }
    return { values: windows.map((w) => this.valuesOf(w)), run };
  }

  private neededDays(windows: readonly KpiWindow[]): Set<string> {
    const key = windows.map((w) => `${w.current.from}:${w.current.to}:${w.previous.from}:${w.previous.to}`).join('|');
    if (this.needed?.key !== key) {
      const days = new Set<string>();
      for (const w of windows) for (const range of [w.current, w.previous]) for (const d of daysOf(range)) days.add(d);
      this.needed = { key, days };
    }
    return this.needed.days;
  }

  private valuesOf(window: KpiWindow): WindowValues {
    const values: KpiValue[] = [];
    for (const { family, reader } of this.families) {
      const sums = this.state.get(reader.id)?.windows.get(window.name);
      const kpis = Object.keys(family.measures);
      // The whole market is always there (a GROUP BY of () gives a row, of zeros, over no rows).
      const groups = new Map(sums?.groups ?? []);
      if (!groups.has('*')) groups.set('*', { scope: {}, cells: new Map() });
      for (const group of groups.values()) {
        const cell = group.cells.get('');
        kpis.forEach((kpi, i) => {
          const cents = family.measures[kpi]?.cents === true;
          // + 0: a sum taken back to nothing is 0, never -0.
          const read = (v: number): number => (cents ? v / 100 : v) + 0;
          values.push({ kpi, scope: group.scope, value: read(cell?.cur[i] ?? 0), previous: read(cell?.prev[i] ?? 0) });
        });
      }
    }
    const ranks: RankValue[] = [];
    const rank = this.state.get(rankReader.id)?.windows.get(window.name);
    for (const group of rank?.groups.values() ?? []) {
      const value: RankEntry[] = [];
      const previous: RankEntry[] = [];
      for (const [destination, cell] of group.cells) {
        if ((cell.cur[0] as number) > 0) value.push({ destination, bookings: (cell.cur[0] as number) + 0 });
        if ((cell.prev[0] as number) > 0) previous.push({ destination, bookings: (cell.prev[0] as number) + 0 });
      }
      ranks.push({ scope: group.scope, value: value.sort(byRank), previous: previous.sort(byRank) });
    }
    return { window, values, ranks };
  }
}
