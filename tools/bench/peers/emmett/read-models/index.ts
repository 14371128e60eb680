import type { RateTable } from '@caravan/domain';
import { arrivalsDailyProjection } from './arrivals-daily.projection';
import { bookingsDailyProjection } from './bookings-daily.projection';
import { mediaDailyProjection } from './media-daily.projection';

/** The three daily read models Caravan also computes, as Emmett PostgreSQL projections. */
export const dailyProjections = (timeZone: string, rates: RateTable) => [
  arrivalsDailyProjection(timeZone),
  bookingsDailyProjection(timeZone, rates),
  mediaDailyProjection(timeZone),
];
