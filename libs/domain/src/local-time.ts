import { addDays, formatInZone, offsetAt, startOfLocalDay } from './windows';

const pad = (n: number): string => String(n).padStart(2, '0');

type DayBounds = { start: number; end: number; steady: boolean };
const bounds = new Map<string, DayBounds>();

/** Where a local day starts and ends, and whether its offset holds all day; cached, as generators ask per event. */
function dayBounds(day: string, timeZone: string): DayBounds {
  const key = `${timeZone}|${day}`;
  let b = bounds.get(key);
  if (!b) {
    const start = startOfLocalDay(day, timeZone);
    const end = startOfLocalDay(addDays(day, 1), timeZone);
    b = {
      start,
      end,
      steady: end - start === 86_400_000 && offsetAt(start, timeZone) === offsetAt(end - 1000, timeZone),
    };
    if (bounds.size >= 10_000) bounds.clear();
    bounds.set(key, b);
  }
  return b;
}

/**
 * The instant a wall-clock time of a local day happens in an IANA zone, to the second. A time a
 * clock change skips or repeats resolves to an instant of that same day, never of a neighbour.
 */
export function atLocalTime(day: string, secondOfDay: number, timeZone: string): number {
  const { start, end, steady } = dayBounds(day, timeZone);
  const s = Math.min(Math.max(0, Math.floor(secondOfDay)), 86_399);
  // No clock change that day: the wall clock runs with the instants.
  if (steady) return start + s * 1000;
  const wall = `${day}T${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
  const guess = start + s * 1000;
  for (const offset of [offsetAt(guess, timeZone), offsetAt(start, timeZone), offsetAt(end - 1000, timeZone)]) {
    const candidate = Date.parse(`${wall}${offset}`);
    if (formatInZone(candidate, timeZone).startsWith(wall)) return candidate;
  }
  // Skipped by a clock change: the same distance from the day's start, kept inside the day.
  return Math.min(Math.max(guess, start), end - 1000);
}

/** Every YYYY-MM-DD from `from` to `to`, both included (empty when `to` is earlier). */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) days.push(day);
  return days;
}
