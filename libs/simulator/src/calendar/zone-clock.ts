import { addDays, formatInZone, localDate, offsetAt, startOfLocalDay } from '@caravan/domain';

type LocalDay = { day: string; start: number; end: number; offset: string | null; minutes: number };

const minutesOf = (offset: string): number => {
  const [h, m] = offset.slice(1).split(':').map(Number) as [number, number];
  return (offset.startsWith('-') ? -1 : 1) * (h * 60 + m);
};

/**
 * The local day of instants in a zone, remembering the days seen (and the last one, as generators
 * and folds go through instants mostly in time order): the Intl lookups would otherwise dominate.
 * `offset` is null on a day with a clock change.
 */
export function localDays(timeZone: string): (instantMs: number) => LocalDay {
  const known = new Map<string, LocalDay>();
  let last: LocalDay | undefined;
  return (instantMs) => {
    if (last && instantMs >= last.start && instantMs < last.end) return last;
    const day = localDate(instantMs, timeZone);
    last = known.get(day);
    if (!last) {
      const start = startOfLocalDay(day, timeZone);
      const end = startOfLocalDay(addDays(day, 1), timeZone);
      const steady = end - start === 86_400_000 && offsetAt(start, timeZone) === offsetAt(end - 1000, timeZone);
      const offset = steady ? offsetAt(start, timeZone) : null;
      last = { day, start, end, offset, minutes: offset ? minutesOf(offset) : 0 };
      if (known.size >= 10_000) known.clear();
      known.set(day, last);
    }
    return last;
  };
}

/** formatInZone, with the offset looked up once per local day (days with a clock change ask formatInZone itself). */
export function zoneFormatter(timeZone: string): (instantMs: number) => string {
  const dayOf = localDays(timeZone);
  return (instantMs) => {
    const { offset, minutes } = dayOf(instantMs);
    if (offset === null) return formatInZone(instantMs, timeZone);
    return `${new Date(instantMs + minutes * 60_000).toISOString().slice(0, 19)}${offset}`;
  };
}
