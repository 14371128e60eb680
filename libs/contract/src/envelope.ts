import { z } from 'zod';

/**
 * A year from 1970 on and an offset of at most ±15:59 (zod's datetime allows ±23:59, PostgreSQL
 * refuses beyond ±15:59).
 */
export const OCCURRED_AT_BOUNDS = /^(?:19[7-9]\d|[2-9]\d{3})-.*(?:Z|[+-](?:0\d|1[0-5]):[0-5]\d)$/;
/** A calendar date from 1970-01-01 to 9999-12-31: the contract's years, which PostgreSQL's date takes. */
export const DATE_BOUNDS = /^(?:19[7-9]\d|[2-9]\d{3})-\d{2}-\d{2}$/;

/** Every inbound record's value: one JSON object, its `data` checked by the schema of `type`@`version`. */
export const envelopeSchema = z.strictObject({
  eventId: z.uuid().describe('chosen by the producer; the idempotency key across all topics'),
  type: z.string().min(1).max(64),
  version: z.int().min(1),
  occurredAt: z.iso
    .datetime({ offset: true, abort: true })
    // What PostgreSQL's timestamptz takes, and what a KPI can mean (bounds of 2026-11-30, docs/contract §1).
    .regex(OCCURRED_AT_BOUNDS, 'expected a date from 1970-01-01 on, with an offset of at most ±15:59')
    .meta({ format: 'date-time' })
    .describe('RFC 3339 with offset (at most ±15:59), from 1970-01-01 on: event time, which every KPI uses'),
  producer: z.string().min(1).max(64),
  data: z.record(z.string(), z.unknown()),
});

export type RawEnvelope = z.infer<typeof envelopeSchema>;

/** The most a record value may weigh. */
export const MAX_RECORD_BYTES = 64 * 1024;
/** How far ahead of the wall clock an occurredAt may be. */
export const FUTURE_TOLERANCE_MS = 24 * 60 * 60 * 1000;
