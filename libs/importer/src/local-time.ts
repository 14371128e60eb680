import { formatInZone, instantOfWallTime, steadyOffsetOfDay } from '@caravan/domain';

const LOCAL = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2})?$/;

/**
 * The occurredAt to send for a CSV cell: `YYYY-MM-DD HH:MM[:SS]` (or with `T`) without an offset is
 * local time in `timeZone` (placed by the domain's instantOfWallTime: a repeated time is the earlier
 * instant, a skipped one moves forward by the gap), written with the offset the zone had at that
 * instant; anything else (RFC 3339 with an offset, or text that is no time at all) is kept as
 * written for the pipeline to judge.
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

/** Whether the runtime knows an IANA zone name. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}
