import type { z } from 'zod';
import { arrivalRecordedV1 } from './events/arrival-recorded';
import { bookingCancelledV1 } from './events/booking-cancelled';
import { bookingCreatedV1 } from './events/booking-created';
import { mediaViewsReportedV1 } from './events/media-views-reported';
import type { TopicRole } from './topics';

/** Turns the data of version n into the data of version n + 1. */
export type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

export type EventTypeDefinition = {
  type: string;
  topic: TopicRole;
  /** The data field whose value producers use as the record key. */
  keyField: string;
  /** versions[0] is version 1; the last one is current. */
  versions: z.ZodType<Record<string, unknown>>[];
  /** upcasters[i] turns version i + 1 into version i + 2. */
  upcasters: Upcaster[];
  /** The currency a price is given in, for types that carry one (checked against the rates held). */
  currency?: (data: Record<string, unknown>) => string;
};

export class EventRegistry {
  private readonly byType = new Map<string, EventTypeDefinition>();

  constructor(definitions: EventTypeDefinition[]) {
    for (const d of definitions) {
      if (d.upcasters.length !== d.versions.length - 1) {
        throw new Error(`${d.type}: ${d.versions.length} versions need ${d.versions.length - 1} upcasters`);
      }
      this.byType.set(d.type, d);
    }
  }

  get(type: string): EventTypeDefinition | undefined {
    return this.byType.get(type);
  }

  /** The record key of an event of this type: the value of its key field. */
  keyOf(type: string, data: Record<string, unknown>): string {
    const d = this.byType.get(type);
    if (!d) throw new Error(`unknown event type ${type}`);
    return String(data[d.keyField]);
  }

  types(): EventTypeDefinition[] {
    return [...this.byType.values()];
  }

  currentVersion(type: string): number {
    const d = this.byType.get(type);
    if (!d) throw new Error(`unknown event type ${type}`);
    return d.versions.length;
  }

  /**
   * Reads stored data of `type`@`version` as the current version; the stored payload is left as it
   * was (upcasters return new objects).
   */
  upcast(type: string, version: number, data: Record<string, unknown>): Record<string, unknown> {
    const d = this.byType.get(type);
    if (!d || version < 1 || version > d.versions.length) throw new Error(`no schema for ${type}@${version}`);
    let current = data;
    for (let v = version; v < d.versions.length; v++) current = (d.upcasters[v - 1] as Upcaster)(current);
    return current;
  }
}

/** The event types of docs/contract §1, version 1 each. */
export const eventRegistry = new EventRegistry([
  {
    type: 'BookingCreated',
    topic: 'bookings',
    keyField: 'bookingId',
    versions: [bookingCreatedV1],
    upcasters: [],
    currency: (d) => String((d.price as { currency: string }).currency),
  },
  { type: 'BookingCancelled', topic: 'bookings', keyField: 'bookingId', versions: [bookingCancelledV1], upcasters: [] },
  { type: 'ArrivalRecorded', topic: 'arrivals', keyField: 'port', versions: [arrivalRecordedV1], upcasters: [] },
  { type: 'MediaViewsReported', topic: 'media', keyField: 'campaign', versions: [mediaViewsReportedV1], upcasters: [] },
]);
