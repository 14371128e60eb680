import { z } from 'zod';

/** Every inbound record's value: one JSON object, its `data` checked by the schema of `type`@`version`. */
export const envelopeSchema = z.strictObject({
  eventId: z.uuid().describe('chosen by the producer; the idempotency key across all topics'),
  type: z.string().min(1).max(64),
  version: z.int().min(1),
  occurredAt: z.iso.datetime({ offset: true }).describe('RFC 3339 with offset: event time, which every KPI uses'),
  producer: z.string().min(1).max(64),
  data: z.record(z.string(), z.unknown()),
});

export type RawEnvelope = z.infer<typeof envelopeSchema>;

/** The most a record value may weigh. */
export const MAX_RECORD_BYTES = 64 * 1024;
/** How far ahead of the wall clock an occurredAt may be. */
export const FUTURE_TOLERANCE_MS = 24 * 60 * 60 * 1000;
