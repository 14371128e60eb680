import { randomUUID } from 'node:crypto';
import type { ArrivalRecordedData } from './events/arrival-recorded';
import type { BookingCancelledData } from './events/booking-cancelled';
import type { BookingCreatedData } from './events/booking-created';
import type { MediaViewsReportedData } from './events/media-views-reported';
import type { ArrivalRecorded, BookingCancelled, BookingCreated, MediaViewsReported, TourismEvent } from './events';

export type EnvelopeOptions = { eventId?: string; occurredAt?: string | Date; producer?: string };

function envelope<T extends TourismEvent['type'], D>(type: T, data: D, options: EnvelopeOptions) {
  const occurredAt = options.occurredAt ?? new Date();
  return {
    eventId: options.eventId ?? randomUUID(),
    type,
    version: 1,
    occurredAt: typeof occurredAt === 'string' ? occurredAt : occurredAt.toISOString(),
    producer: options.producer ?? 'caravan',
    data,
  };
}

/** Valid version-1 events, ready for EventProducer (or JSON.stringify). */
export const buildEvent = {
  bookingCreated: (data: BookingCreatedData, options: EnvelopeOptions = {}): BookingCreated =>
    envelope('BookingCreated', data, options),
  bookingCancelled: (data: BookingCancelledData, options: EnvelopeOptions = {}): BookingCancelled =>
    envelope('BookingCancelled', data, options),
  arrivalRecorded: (data: ArrivalRecordedData, options: EnvelopeOptions = {}): ArrivalRecorded =>
    envelope('ArrivalRecorded', data, options),
  mediaViewsReported: (data: MediaViewsReportedData, options: EnvelopeOptions = {}): MediaViewsReported =>
    envelope('MediaViewsReported', data, options),
};
