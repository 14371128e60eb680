import {
  type ArrivalRecordedData,
  type BookingCancelledData,
  type BookingCreatedData,
  buildEvent,
  type MediaViewsReportedData,
} from '@caravan/contract';
import { zoneFormatter } from './calendar/zone-clock';
import type { SimEvent } from './types';
import type { UuidSource } from './uuid';

/** The upstream systems each event type comes from. */
export const PRODUCERS = { arrivals: 'border-service', bookings: 'booking-hub', media: 'media-analytics' } as const;

/** Builds envelopes: a fresh eventId each, occurredAt with the zone's offset at that instant. */
export type EventFactory = {
  arrival(data: ArrivalRecordedData, atMs: number): SimEvent;
  booking(data: BookingCreatedData, atMs: number): SimEvent;
  cancellation(data: BookingCancelledData, atMs: number): SimEvent;
  media(data: MediaViewsReportedData, atMs: number): SimEvent;
  uuid: UuidSource;
};

export function eventFactory(uuid: UuidSource, timeZone: string, producer?: string): EventFactory {
  const format = zoneFormatter(timeZone);
  const options = (atMs: number, fallback: string) => ({
    eventId: uuid(),
    occurredAt: format(atMs),
    producer: producer ?? fallback,
  });
  return {
    arrival: (data, atMs) => buildEvent.arrivalRecorded(data, options(atMs, PRODUCERS.arrivals)),
    booking: (data, atMs) => buildEvent.bookingCreated(data, options(atMs, PRODUCERS.bookings)),
    cancellation: (data, atMs) => buildEvent.bookingCancelled(data, options(atMs, PRODUCERS.bookings)),
    media: (data, atMs) => buildEvent.mediaViewsReported(data, options(atMs, PRODUCERS.media)),
    uuid,
  };
}
