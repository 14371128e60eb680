import { formatInZone, offsetAt } from '@caravan/domain';

const DAY_MS = 86_400_000;
const LOCAL = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2})?$/;
const MAX_CACHED_DAYS = 10_000;

/**
 * The occurredAt to send for a CSV cell: `YYYY-MM-DD HH:MM[:SS]` (or with `T`) without an offset is
 * local time in `timeZone`, written with the offset the zone had at that instant; anything else
 * (RFC 3339 with an offset, or text that is no time at all) is kept as written for the pipeline
 * to judge.
 */
export function toOccurredAt(cell: string, timeZone: string): string {
  const match = LOCAL.exec(cell);
  if (!match) return cell;
  const wall = `${match[1]}T${match[2]}${match[3] ?? ':00'}`;
  const wallMs = Date.parse(`${wall}Z`);
  // Date.parse rolls 24:00 or 30 February over; such a cell is not a time and is kept as written.
  if (Number.isNaN(wallMs) || new Date(wallMs).toISOString().slice(0, 19) !== wall) return cell;
  const steady = steadyOffsetOfDay(match[1] as string, timeZone);
  return steady === undefined ? formatInZone(instantOfWallTime(wallMs, timeZone), timeZone) : `${wall}${steady}`;
}

/**
 * The instant a zone's clocks show a wall time (given as if it were UTC). When clocks were set
 * back (Asia/Almaty at midnight on 1 March 2024: 23:00–23:59 of 29 February happened twice) the
 * earlier instant; in a gap of clocks set forward, the time moved forward by the gap (as
 * Temporal's `compatible` disambiguation does). Assumes, like every zone, at most one change of
 * offset in two days.
 */
export function instantOfWallTime(wallMs: number, timeZone: string): number {
  const offsets = new Set([wallMs - DAY_MS, wallMs, wallMs + DAY_MS].map((t) => offsetMs(offsetAt(t, timeZone))));
  const fitting = [...offsets]
    .map((offset) => wallMs - offset)
    .filter((instant) => offsetMs(offsetAt(instant, timeZone)) === wallMs - instant);
  if (fitting.length > 0) return Math.min(...fitting);
  return wallMs - offsetMs(offsetAt(wallMs - DAY_MS, timeZone));
}

// Intl lookups cost microseconds and a file holds millions of rows but few days: remember, per
// local day, the offset when it holds all day long (undefined when the day has a change).
const steadyDays = new Map<string, string | undefined>();

function steadyOffsetOfDay(day: string, timeZone: string): string | undefined {
  const key = `${timeZone} ${day}`;
  if (steadyDays.has(key)) return steadyDays.get(key);
  const start = Date.parse(`${day}T00:00:00Z`);
  const offset = offsetAt(start, timeZone);
  const instantOfMidnight = start - offsetMs(offset);
  // With at most one change in two days, equal offsets a day apart from a day before to a day after mean none in between.
  const samples = [-DAY_MS, 0, DAY_MS, 2 * DAY_MS].map((d) => offsetAt(instantOfMidnight + d, timeZone));
  const steady = samples.every((s) => s === offset) ? offset : undefined;
  if (steadyDays.size >= MAX_CACHED_DAYS) steadyDays.clear();
  steadyDays.set(key, steady);
  return steady;
}

/** Whether the runtime knows an IANA zone name. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

function offsetMs(offset: string): number {
  const sign = offset.startsWith('-') ? -1 : 1;
  const [hours = 0, minutes = 0, seconds = 0] = offset.slice(1).split(':').map(Number);
  return sign * ((hours * 60 + minutes) * 60 + seconds) * 1000;
}
