import { WINDOWS, type WindowName } from '@caravan/contract';
import { localDate } from './local-date';

/** Whole local days, inclusive, as YYYY-MM-DD. */
export type DayRange = { from: string; to: string };
export type KpiWindow = { name: WindowName; current: DayRange; previous: DayRange };

/** YYYY-MM-DD plus `days` (may be negative), in calendar arithmetic. */
export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The same local date a year earlier; 29 February maps to 28 February. */
export function yearEarlier(day: string): string {
  const [y, m, d] = day.split('-') as [string, string, string];
  const year = String(Number(y) - 1).padStart(4, '0');
  return m === '02' && d === '29' ? `${year}-02-28` : `${year}-${m}-${d}`;
}

/** The windows ending with the watermark's local day, each with the same dates a year earlier. */
export function windowsAt(watermarkMs: number, timeZone: string): KpiWindow[] {
  const end = localDate(watermarkMs, timeZone);
  const starts: Record<WindowName, string> = {
    '1d': end,
    '7d': addDays(end, -6),
    '30d': addDays(end, -29),
    mtd: `${end.slice(0, 8)}01`,
    ytd: `${end.slice(0, 5)}01-01`,
  };
  return WINDOWS.map((name) => ({
    name,
    current: { from: starts[name], to: end },
    previous: { from: yearEarlier(starts[name]), to: yearEarlier(end) },
  }));
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** The UTC offset of a zone at an instant, as +05:00. */
export function offsetAt(instantMs: number, timeZone: string): string {
  let f = offsetFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    offsetFormatters.set(timeZone, f);
  }
  const name = f.formatToParts(instantMs).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  return name === 'GMT' ? '+00:00' : name.replace('GMT', '');
}

/** The instant a local day starts in a zone (DST-safe: searches the offsets around it). */
export function startOfLocalDay(day: string, timeZone: string): number {
  const utcMidnight = Date.parse(`${day}T00:00:00Z`);
  for (const guess of [
    offsetAt(utcMidnight, timeZone),
    offsetAt(utcMidnight - 86_400_000, timeZone),
    offsetAt(utcMidnight + 86_400_000, timeZone),
  ]) {
    const candidate = Date.parse(`${day}T00:00:00${guess}`);
    if (localDate(candidate, timeZone) === day && localDate(candidate - 1, timeZone) !== day) return candidate;
  }
  throw new Error(`cannot place the start of ${day} in ${timeZone}`);
}

/** RFC 3339 with the zone's offset at that instant, e.g. 2024-12-31T23:59:59+05:00. */
export function formatInZone(instantMs: number, timeZone: string): string {
  const offset = offsetAt(instantMs, timeZone);
  const sign = offset.startsWith('-') ? -1 : 1;
  const [h, m] = offset.slice(1).split(':').map(Number) as [number, number];
  const local = new Date(instantMs + sign * (h * 60 + m) * 60_000);
  return `${local.toISOString().slice(0, 19)}${offset}`;
}

/** (value − previous) / previous × 100 to one decimal; null when previous is 0. */
export function changePct(value: number, previous: number): number | null {
  return previous === 0 ? null : round1(((value - previous) / previous) * 100);
}

export function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
