import type {
  ArrivalRecordedData,
  BookingCancelledData,
  BookingCreatedData,
  MediaViewsReportedData,
  TourismEvent,
} from '@caravan/contract';
import type { Event } from '@event-driven-io/emmett';

/** The envelope's other fields ride as Emmett metadata; Emmett stores `messageId` in its message_id column. */
export type EnvelopeMetadata = { messageId: string; occurredAt: string; producer: string; schemaVersion: number };

export type BookingCreated = Event<'BookingCreated', BookingCreatedData, EnvelopeMetadata>;
export type BookingCancelled = Event<'BookingCancelled', BookingCancelledData, EnvelopeMetadata>;
export type ArrivalRecorded = Event<'ArrivalRecorded', ArrivalRecordedData, EnvelopeMetadata>;
export type MediaViewsReported = Event<'MediaViewsReported', MediaViewsReportedData, EnvelopeMetadata>;

export type TourismEmmettEvent = BookingCreated | BookingCancelled | ArrivalRecorded | MediaViewsReported;

export function toEmmettEvent(e: TourismEvent): TourismEmmettEvent {
  const metadata: EnvelopeMetadata = {
    messageId: e.eventId,
    occurredAt: e.occurredAt,
    producer: e.producer,
    schemaVersion: e.version,
  };
  // The envelope's `type` discriminates `data` the same way in both unions.
  return { type: e.type, data: e.data, metadata } as TourismEmmettEvent;
}

/** One stream per booking, per arrival port, per media campaign: the streams an Emmett user would pick. */
export function streamNameOf(e: TourismEvent): string {
  switch (e.type) {
    case 'BookingCreated':
    case 'BookingCancelled':
      return `booking-${e.data.bookingId}`;
    case 'ArrivalRecorded':
      return `arrivals-${e.data.port}`;
    case 'MediaViewsReported':
      return `media-${e.data.campaign}`;
  }
}
