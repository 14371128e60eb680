import type { DayRange } from '@caravan/domain';
import type { ExpectedKpi, RankEntry } from '../types';
import type { Family } from './daily-rows';

const inRange = (day: string, range: DayRange): boolean => day >= range.from && day <= range.to;

/**
 * destination_rank as the publisher reads it from bookings_daily: the whole market and each market
 * with a row in either range; destinations with bookings above zero, most first, ties by name.
 */
export function destinationRanks(bookings: Family, current: DayRange, previous: DayRange): ExpectedKpi[] {
  const m = bookings.measures.indexOf('bookings');
  const marketAt = bookings.dimensions.indexOf('market');
  const destinationAt = bookings.dimensions.indexOf('destination');
  const scopes = new Map<string, { current: Map<string, number>; previous: Map<string, number> }>();
  for (const row of bookings.rows.values()) {
    const range = inRange(row.day, current) ? 'current' : inRange(row.day, previous) ? 'previous' : undefined;
    if (!range) continue;
    const destination = row.dims[destinationAt] as string;
    for (const key of ['*', row.dims[marketAt] as string]) {
      let s = scopes.get(key);
      if (!s) scopes.set(key, (s = { current: new Map(), previous: new Map() }));
      s[range].set(destination, (s[range].get(destination) ?? 0) + Number(row.sums[m]));
    }
  }
  const ranked = (counts: Map<string, number>): RankEntry[] =>
    [...counts]
      .filter(([, n]) => n > 0)
      .map(([destination, n]) => ({ destination, bookings: n }))
      .sort((a, b) => b.bookings - a.bookings || a.destination.localeCompare(b.destination));
  return [...scopes].map(([key, s]): ExpectedKpi => ({
    kpi: 'destination_rank',
    window: 'ytd',
    scope: key === '*' ? {} : { market: key },
    value: ranked(s.current),
    previous: ranked(s.previous),
    changePct: null,
  }));
}
