import { atLocalTime, daysBetween } from '@caravan/domain';
import { arrivalBatches } from '../arrivals';
import { apportion } from '../apportion';
import { dayWeight } from '../calendar/seasonality';
import { secondOfDay } from '../calendar/time-of-day';
import type { EventFactory } from '../event-factory';
import type { Random } from '../random';
import { type TimedEvent, timed } from './timed-event';

/** Travellers per nationality and year: the article's Chinese figures (+78 %), and the other markets. */
export const SEED_ARRIVALS: Readonly<Record<string, Readonly<Record<number, number>>>> = {
  CN: { 2023: 368_000, 2024: 655_000 },
  RU: { 2023: 88_000, 2024: 96_000 },
  UZ: { 2023: 62_000, 2024: 70_000 },
  KG: { 2023: 38_000, 2024: 41_000 },
  KR: { 2023: 18_000, 2024: 27_000 },
  TR: { 2023: 12_000, 2024: 14_000 },
  DE: { 2023: 9_000, 2024: 11_000 },
  IN: { 2023: 6_000, 2024: 11_000 },
  US: { 2023: 7_000, 2024: 8_000 },
};

/**
 * Arrival records adding up exactly to SEED_ARRIVALS: each year's total spread over its local days
 * by seasonality (largest remainder), each day's split into flights, trains and border batches at
 * their ports' hours.
 */
export function seedArrivals(
  random: Random,
  factory: EventFactory,
  timeZone: string,
  years: readonly number[],
): TimedEvent[] {
  const events: TimedEvent[] = [];
  for (const year of years) {
    const days = daysBetween(`${year}-01-01`, `${year}-12-31`);
    for (const [nationality, totals] of Object.entries(SEED_ARRIVALS)) {
      const perDay = apportion(
        totals[year] ?? 0,
        days.map((day) => dayWeight(day, nationality)),
      );
      days.forEach((day, i) => {
        for (const batch of arrivalBatches(random, nationality, perDay[i] ?? 0)) {
          const atMs = atLocalTime(day, secondOfDay(random, batch.hours), timeZone);
          events.push(timed(factory.arrival(batch.data, atMs), atMs));
        }
      });
    }
  }
  return events;
}
