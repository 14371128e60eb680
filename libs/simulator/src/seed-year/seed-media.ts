import { atLocalTime, daysBetween } from '@caravan/domain';
import { apportion } from '../apportion';
import { HOURS, secondOfDay } from '../calendar/time-of-day';
import { MEDIA_FLIGHTS } from '../catalog/media.catalog';
import type { EventFactory } from '../event-factory';
import { campaignDayWeights, reportsPerDay } from '../media';
import type { Random } from '../random';
import { type TimedEvent, timed } from './timed-event';

/**
 * View reports adding up exactly to each campaign flight's views: spread over its days (launch
 * burst, spikes), each day's in one or two analytics exports.
 */
export function seedMedia(random: Random, factory: EventFactory, timeZone: string): TimedEvent[] {
  const events: TimedEvent[] = [];
  for (const flight of MEDIA_FLIGHTS) {
    const days = daysBetween(flight.from, flight.to);
    const perDay = apportion(flight.views, campaignDayWeights(days));
    days.forEach((day, i) => {
      const views = perDay[i] ?? 0;
      const reports = reportsPerDay(views);
      const parts = apportion(
        views,
        Array.from({ length: reports }, () => 0.5 + random.next()),
      );
      const times = parts
        .map(() => atLocalTime(day, secondOfDay(random, HOURS.report), timeZone))
        .sort((a, b) => a - b);
      parts.forEach((part, k) => {
        const atMs = times[k] as number;
        events.push(
          timed(
            factory.media(
              { platform: flight.platform, campaign: flight.campaign, market: flight.market, views: part },
              atMs,
            ),
            atMs,
          ),
        );
      });
    });
  }
  return events;
}
