import { Client } from 'pg';

export type StoreCheck = { ok: boolean; problems: string[]; stored: number; travelers: string };

const TOTALS = `SELECT
  (SELECT coalesce(sum(travelers), 0) FROM arrivals_daily)::text AS agg_travelers,
  (SELECT coalesce(sum((payload->'data'->>'travelers')::bigint), 0) FROM events
   WHERE type = 'ArrivalRecorded')::text AS event_travelers,
  (SELECT coalesce(sum(bookings), 0) FROM bookings_daily)::text AS agg_bookings,
  (SELECT count(*) FROM events WHERE type = 'BookingCreated')::text AS event_bookings,
  (SELECT coalesce(sum(views), 0) FROM media_daily)::text AS agg_views,
  (SELECT coalesce(sum((payload->'data'->>'views')::bigint), 0) FROM events
   WHERE type = 'MediaViewsReported')::text AS event_views`;

/** The events table holds exactly the handler's distinct valid eventIds, and each aggregate sums its stored events. */
export async function checkStore(url: string, validIds: string[]): Promise<StoreCheck> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const stored = new Set(
      (await client.query<{ id: string }>('SELECT event_id::text AS id FROM events')).rows.map((r) => r.id),
    );
    const valid = new Set(validIds);
    const problems: string[] = [];
    const missing = [...valid].filter((id) => !stored.has(id));
    const extra = [...stored].filter((id) => !valid.has(id));
    if (missing.length > 0) problems.push(`${missing.length} valid eventIds not stored (e.g. ${missing[0]})`);
    if (extra.length > 0)
      problems.push(`${extra.length} stored eventIds the handler never saw valid (e.g. ${extra[0]})`);
    const t = (await client.query<Record<string, string>>(TOTALS)).rows[0] as Record<string, string>;
    for (const [what, agg, events] of [
      ['travelers', 'agg_travelers', 'event_travelers'],
      ['bookings', 'agg_bookings', 'event_bookings'],
      ['views', 'agg_views', 'event_views'],
    ] as const) {
      if (t[agg] !== t[events]) problems.push(`${what}: aggregate ${t[agg]} ≠ events ${t[events]}`);
    }
    return { ok: problems.length === 0, problems, stored: stored.size, travelers: t.agg_travelers ?? '0' };
  } finally {
    await client.end();
  }
}
