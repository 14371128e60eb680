import { addDays, atLocalTime, daysBetween } from '@caravan/domain';
import { apportion } from '../apportion';
import { bookingDraft, cancelDelaySeconds, cancelReason } from '../bookings';
import { dayWeight } from '../calendar/seasonality';
import { secondOfDay } from '../calendar/time-of-day';
import type { EventFactory } from '../event-factory';
import type { Random } from '../random';
import { type TimedEvent, timed } from './timed-event';

/** Bookings per market and year. */
export const SEED_BOOKINGS: Readonly<Record<string, Readonly<Record<number, number>>>> = {
  CN: { 2023: 9_300, 2024: 16_500 },
  RU: { 2023: 2_400, 2024: 2_600 },
  KR: { 2023: 700, 2024: 900 },
  DE: { 2023: 500, 2024: 550 },
  UZ: { 2023: 400, 2024: 420 },
  US: { 2023: 350, 2024: 380 },
  TR: { 2023: 300, 2024: 330 },
  IN: { 2023: 250, 2024: 380 },
  KG: { 2023: 200, 2024: 210 },
};

// Travellers book about five weeks before they travel.
const LEAD_DAYS = 35;
// Of the cancellations, the share whose record reaches Kafka before its booking's.
const SENT_AHEAD = 0.25;

/**
 * Bookings spread over the local days by the seasonality of travel five weeks later, and their
 * cancellations (after the booking, never after `endMs`), a quarter of them sent ahead of the booking.
 */
export function seedBookings(
  random: Random,
  factory: EventFactory,
  timeZone: string,
  years: readonly number[],
  endMs: number,
): TimedEvent[] {
  const events: TimedEvent[] = [];
  for (const year of years) {
    const days = daysBetween(`${year}-01-01`, `${year}-12-31`);
    for (const [market, totals] of Object.entries(SEED_BOOKINGS)) {
      const perDay = apportion(
        totals[year] ?? 0,
        days.map((day) => dayWeight(addDays(day, LEAD_DAYS), market)),
      );
      days.forEach((day, i) => {
        for (let k = 0; k < (perDay[i] ?? 0); k++) {
          const draft = bookingDraft(random, market, day, factory.uuid().slice(-12));
          const atMs = atLocalTime(day, secondOfDay(random, draft.hours), timeZone);
          events.push(timed(factory.booking(draft.data, atMs), atMs));
          if (!random.chance(draft.cancelShare)) continue;
          const cancelAtMs = atMs + cancelDelaySeconds(random) * 1000;
          if (cancelAtMs >= endMs) continue;
          const cancellation = factory.cancellation(
            { bookingId: draft.data.bookingId, ...cancelReason(random) },
            cancelAtMs,
          );
          events.push(
            random.chance(SENT_AHEAD)
              ? { event: cancellation, atMs: cancelAtMs, sendAtMs: atMs, ahead: true }
              : timed(cancellation, cancelAtMs),
          );
        }
      });
    }
  }
  return events;
}
