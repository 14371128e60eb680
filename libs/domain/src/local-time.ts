import { addDays, offsetAt } from './windows';

const DAY_MS = 86_400_000;
const MAX_CACHED_DAYS = 10_000;

/**
 * The instant a zone's clocks show a wall time (given as if it were UTC): the one rule for every
 * local time Caravan reads (CSV cells) or makes (generated events). A time the clocks show twice
 * (set back: Asia/Almaty's 23:00–23:59 of 29 February 2024) is the earlier instant; a time they
 * skip (set forward) is moved forward by the gap, into the next day when the gap ends a day. These
 * are Temporal's and java.time's `compatible` disambiguation. Assumes, like every zone, at most
 * one change of offset in two days.
 */
export function instantOfWallTime(wallMs: number, timeZone: string): number {
  const offsets = new Set([wallMs - DAY_MS, wallMs, wallMs + DAY_MS].map((t) => offsetMs(offsetAt(t, timeZone))));
  const fitting = [...offsets]
    .map((offset) => wallMs - offset)
    .filter((instant) => offsetMs(offsetAt(instant, timeZone)) === wallMs - instant);
  if (fitting.length > 0) return Math.min(...fitting);
  return wallMs - offsetMs(offsetAt(wallMs - DAY_MS, timeZone));
}

/** instantOfWallTime of a wall-clock time of a local day, to the second (0 to 86,399). */
export function atLocalTime(day: string, secondOfDay: number, timeZone: string): number {
  const { midnightMs, steady } = localDay(day, timeZone);
  const wallMs = midnightMs + Math.min(Math.max(0, Math.floor(secondOfDay)), 86_399) * 1000;
  return steady ? wallMs - steady.ms : instantOfWallTime(wallMs, timeZone);
}

/** The offset (+05:00) a zone keeps all of a local day, and the day before and after; undefined when it changes. */
export function steadyOffsetOfDay(day: string, timeZone: string): string | undefined {
  return localDay(day, timeZone).steady?.offset;
}

/** A local day's midnight as if it were UTC, and the offset it keeps all day long and a day either side, if it does. */
type LocalDay = { midnightMs: number; steady?: { offset: string; ms: number } };

// Intl lookups cost microseconds, and files and generators place millions of times on few days:
// each day is looked at once.
const localDays = new Map<string, LocalDay>();

function localDay(day: string, timeZone: string): LocalDay {
  const key = `${timeZone} ${day}`;
  let known = localDays.get(key);
  if (known) return known;
  const midnightMs = Date.parse(`${day}T00:00:00Z`);
  const offset = offsetAt(midnightMs, timeZone);
  const instantOfMidnight = midnightMs - offsetMs(offset);
  // With at most one change in two days, equal offsets a day apart from a day before to a day after mean none in
  // between.
  const samples = [-DAY_MS, 0, DAY_MS, 2 * DAY_MS].map((d) => offsetAt(instantOfMidnight + d, timeZone));
  known = samples.every((s) => s === offset)
    ? { midnightMs, steady: { offset, ms: offsetMs(offset) } }
    : { midnightMs };
  if (localDays.size >= MAX_CACHED_DAYS) localDays.clear();
  localDays.set(key, known);
  return known;
}

function offsetMs(offset: string): number {
  const sign = offset.startsWith('-') ? -1 : 1;
  const [hours = 0, minutes = 0, seconds = 0] = offset.slice(1).split(':').map(Number);
  return sign * ((hours * 60 + minutes) * 60 + seconds) * 1000;
}

/** Every YYYY-MM-DD from `from` to `to`, both included (empty when `to` is earlier). */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) days.push(day);
  return days;
}
