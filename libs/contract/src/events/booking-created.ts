import { z } from 'zod';
import { bookingId, country, currency, decimalAmount, isoDate, slug } from '../primitives';

export const CHANNELS = ['tour_operator', 'ota', 'agency', 'direct'] as const;

export const bookingCreatedV1 = z.strictObject({
  bookingId,
  market: country.describe('country of the traveller'),
  destination: slug,
  channel: z.enum(CHANNELS),
  travelers: z.int().min(1).max(1000),
  checkIn: isoDate,
  nights: z.int().min(0).max(365),
  price: z.strictObject({ amount: decimalAmount, currency }),
});

export type BookingCreatedData = z.infer<typeof bookingCreatedV1>;
