import type { ArrivalRecordedData } from './events/arrival-recorded';
import type { BookingCancelledData } from './events/booking-cancelled';
import type { BookingCreatedData } from './events/booking-created';
import type { MediaViewsReportedData } from './events/media-views-reported';

/** An event as the pipeline reads it: envelope fields plus data of the current version. */
export type Event<Type extends string, Data> = {
  eventId: string;
  type: Type;
  version: number;
  occurredAt: string;
  producer: string;
  data: Data;
};

export type BookingCreated = Event<'BookingCreated', BookingCreatedData>;
export type BookingCancelled = Event<'BookingCancelled', BookingCancelledData>;
export type ArrivalRecorded = Event<'ArrivalRecorded', ArrivalRecordedData>;
export type MediaViewsReported = Event<'MediaViewsReported', MediaViewsReportedData>;

export type TourismEvent = BookingCreated | BookingCancelled | ArrivalRecorded | MediaViewsReported;
export type TourismEventType = TourismEvent['type'];
