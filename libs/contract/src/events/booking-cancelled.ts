import { z } from 'zod';
import { bookingId } from '../primitives';

export const bookingCancelledV1 = z.strictObject({
  bookingId,
  reason: z.string().max(200).optional(),
});

export type BookingCancelledData = z.infer<typeof bookingCancelledV1>;
