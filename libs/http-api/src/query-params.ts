import { BadRequestException } from '@nestjs/common';
import { z } from 'zod';
import {
  DATE_BOUNDS,
  DIMENSIONS,
  GRANULARITIES,
  KPIS,
  OCCURRED_AT_BOUNDS,
  REJECTION_CODES,
  SERIES_KPIS,
  unstorableText,
  WINDOWS,
} from '@caravan/contract';

const SCOPE_PARAM = /^scope\.([a-z_]+)$/;

/** `scope.nationality=CN` query parameters as a scope object; unknown dimensions are refused. */
function scopeOf(query: Record<string, unknown>): Record<string, string> {
  const scope: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    const match = SCOPE_PARAM.exec(key);
    if (!match) continue;
    const dimension = match[1] as string;
    if (!(DIMENSIONS as readonly string[]).includes(dimension))
      throw new BadRequestException(`${key}: unknown dimension, expected one of ${DIMENSIONS.join(', ')}`);
    if (typeof value !== 'string' || value.length === 0 || value.length > 64)
      throw new BadRequestException(`${key}: expected one value of 1 to 64 characters`);
    // Compared with stored text: a value PostgreSQL could not hold is refused here, not by the query.
    const problem = unstorableText(value);
    if (problem) throw new BadRequestException(`${key}: ${problem}`);
    scope[dimension] = value;
  }
  return scope;
}

/** Parses query parameters with a zod schema; a bad one is a 400 whose message names it. */
export function parseQuery<T extends z.ZodType>(
  schema: T,
  query: Record<string, unknown>,
): z.infer<T> & { scope: Record<string, string> } {
  const plain = Object.fromEntries(Object.entries(query).filter(([k]) => !SCOPE_PARAM.test(k)));
  const parsed = schema.safeParse(plain);
  if (!parsed.success) {
    throw new BadRequestException(
      parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; '),
    );
  }
  return { ...(parsed.data as object), scope: scopeOf(query) } as z.infer<T> & { scope: Record<string, string> };
}

/**
 * Dates and instants as the contract bounds them (years 1970 to 9999, offsets of at most ±15:59):
 * zod alone takes year 0 and offsets to ±23:59, which PostgreSQL refuses (a 500, not a 400).
 */
const isoDate = z.iso
  .date()
  .regex(DATE_BOUNDS, 'expected a date from 1970-01-01 to 9999-12-31')
  .meta({ format: 'date' });
const isoDateTime = z.iso
  .datetime({ offset: true })
  .regex(OCCURRED_AT_BOUNDS, 'expected a date-time from 1970 to 9999 with an offset of at most ±15:59')
  .meta({ format: 'date-time' });

export const latestKpisQuery = z.strictObject({
  kpi: z.enum(KPIS).optional(),
  window: z.enum(WINDOWS).optional(),
  /** Only snapshots of the whole market (`true`) or only of one dimension (`false`). */
  wholeMarket: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  /** Only snapshots scoped by exactly this one dimension, one per value (e.g. arrivals by nationality). */
  dimension: z
    .enum(DIMENSIONS)
    .optional()
    .describe('only the snapshots scoped by exactly this one dimension: one per value, e.g. arrivals by nationality'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type LatestKpisQuery = z.infer<typeof latestKpisQuery> & { scope: Record<string, string> };

export const MAX_SERIES_DAYS = 3_700;

export const timeSeriesQuery = z
  .strictObject({
    kpi: z.enum(SERIES_KPIS),
    from: isoDate,
    to: isoDate,
    granularity: z.enum(GRANULARITIES).default('day'),
  })
  .refine((q) => q.from <= q.to, { path: ['to'], message: 'must not be before from' })
  .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 < MAX_SERIES_DAYS, {
    path: ['to'],
    message: `the range may span at most ${MAX_SERIES_DAYS} days`,
  });
export type TimeSeriesQuery = z.infer<typeof timeSeriesQuery> & { scope: Record<string, string> };

export const streamQuery = z.strictObject({
  kpi: z.enum(KPIS).optional(),
  window: z.enum(WINDOWS).optional(),
  /** For clients that cannot set the Last-Event-ID header. */
  lastEventId: z
    .string()
    .regex(/^\d{1,18}$/, 'expected a history id')
    .optional(),
});
export type StreamQuery = z.infer<typeof streamQuery> & { scope: Record<string, string> };

export const rejectionsQuery = z.strictObject({
  code: z.enum(REJECTION_CODES).optional(),
  from: isoDateTime.optional(),
  to: isoDateTime.optional(),
  dlq: z
    .enum(['pending', 'published', 'refused'])
    .optional()
    .describe(
      'where the record stands with the dead-letter topic: not published yet, published, ' +
        'or refused by the broker even alone (dlqError says why)',
    ),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type RejectionsQuery = z.infer<typeof rejectionsQuery>;

export const setAsideQuery = z.strictObject({
  projection: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,62}$/, 'expected a projection name such as bookings')
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type SetAsideQuery = z.infer<typeof setAsideQuery>;

export const replayBody = z.strictObject({
  ids: z
    .array(z.string().regex(/^\d{1,18}$/))
    .min(1)
    .max(10_000)
    .optional(),
  code: z.enum(REJECTION_CODES).optional(),
  limit: z.int().min(1).max(10_000).default(1_000),
});

/** Parses a JSON body with a zod schema; a bad field is a 400 naming it. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success)
    throw new BadRequestException(
      parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    );
  return parsed.data;
}
