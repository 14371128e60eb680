import type { Pool } from 'pg';

/**
 * The bookings rules (docs/contract §3) as plain SQL over the events, $1 the time zone: the one
 * oracle of the cancellation rule. `local`: every event with its local day; `priced`: every
 * BookingCreated in USD cents at the rate valid at its occurredAt; `counted_cancel`: the one
 * cancellation counted per booking, its earliest (by occurredAt, then eventId) once the booking is
 * known, on its own day, with the market, destination, channel and cents of the booking's earliest
 * creation.
 */
const BOOKINGS = `
     local AS (SELECT e.*, (e.occurred_at AT TIME ZONE $1)::date AS day FROM events e),
     priced AS (
       SELECT l.event_id, l.occurred_at, l.day, l.data->>'bookingId' AS booking_id,
              l.data->>'market' AS market, l.data->>'destination' AS destination, l.data->>'channel' AS channel,
              (l.data->>'travelers')::bigint AS travelers,
              round((l.data->'price'->>'amount')::numeric * r.usd_per_unit * 100)::bigint AS cents
       FROM local l
       CROSS JOIN LATERAL (SELECT usd_per_unit FROM currency_rates
                           WHERE currency = l.data->'price'->>'currency' AND valid_from <= l.occurred_at
                           ORDER BY valid_from DESC LIMIT 1) r
       WHERE l.type = 'BookingCreated'),
     first_booking AS (SELECT DISTINCT ON (booking_id) * FROM priced ORDER BY booking_id, occurred_at, event_id),
     first_cancel AS (
       SELECT DISTINCT ON (data->>'bookingId') data->>'bookingId' AS booking_id, day
       FROM local WHERE type = 'BookingCancelled' ORDER BY data->>'bookingId', occurred_at, event_id),
     counted_cancel AS (
       SELECT c.day, b.market, b.destination, b.channel, b.cents
       FROM first_cancel c JOIN first_booking b USING (booking_id))`;

/**
 * The KPI inputs computed straight from the events table with plain SQL, independently of the
 * projections' code: what every aggregate must equal.
 */
export async function expectedFromEvents(pool: Pool, timeZone: string) {
  const arrivals = await pool.query(
    `SELECT to_char((occurred_at AT TIME ZONE $1)::date, 'YYYY-MM-DD') AS day, data->>'nationality' AS nationality,
            data->>'port' AS port, data->>'purpose' AS purpose, coalesce(data->>'destination', '') AS destination,
            sum((data->>'travelers')::bigint)::text AS travelers, count(*)::text AS events
     FROM events WHERE type = 'ArrivalRecorded' GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`,
    [timeZone],
  );
  const media = await pool.query(
    `SELECT to_char((occurred_at AT TIME ZONE $1)::date, 'YYYY-MM-DD') AS day, data->>'platform' AS platform,
            data->>'campaign' AS campaign, data->>'market' AS market, sum((data->>'views')::bigint)::text AS views,
            count(*)::text AS reports
     FROM events WHERE type = 'MediaViewsReported' GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
    [timeZone],
  );
  const bookings = await pool.query(
    `WITH ${BOOKINGS},
     made AS (SELECT day, market, destination, channel, count(*) AS bookings, sum(travelers) AS travelers,
                     sum(cents) AS revenue_cents
              FROM priced GROUP BY 1, 2, 3, 4),
     cancelled AS (SELECT day, market, destination, channel, count(*) AS cancellations, sum(cents) AS cancelled_cents
                   FROM counted_cancel GROUP BY 1, 2, 3, 4)
     SELECT to_char(day, 'YYYY-MM-DD') AS day, market, destination, channel,
            coalesce(m.bookings, 0)::text AS bookings, coalesce(m.travelers, 0)::text AS travelers,
            coalesce(m.revenue_cents, 0)::text AS revenue_cents, coalesce(c.cancellations, 0)::text AS cancellations,
            coalesce(c.cancelled_cents, 0)::text AS cancelled_cents
     FROM made m FULL JOIN cancelled c USING (day, market, destination, channel)
     ORDER BY 1, 2, 3, 4`,
    [timeZone],
  );
  return { arrivals: arrivals.rows, media: media.rows, bookings: bookings.rows };
}

/** The projections' tables (suffix: a shadow set), in the same shape. */
export async function projected(pool: Pool, suffix = '') {
  const exists = async (t: string) =>
    (await pool.query(`SELECT to_regclass($1) IS NOT NULL AS e`, [t])).rows[0].e as boolean;
  const rowsOf = async (t: string, sql: string) => ((await exists(t)) ? (await pool.query(sql)).rows : []);
  const arrivals = await rowsOf(
    `arrivals_daily${suffix}`,
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, nationality, port, purpose, destination, travelers::text, events::text
     FROM arrivals_daily${suffix} ORDER BY 1, 2, 3, 4, 5`,
  );
  const media = await rowsOf(
    `media_daily${suffix}`,
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, platform, campaign, market, views::text, reports::text
     FROM media_daily${suffix} ORDER BY 1, 2, 3, 4`,
  );
  const bookings = await rowsOf(
    `bookings_daily${suffix}`,
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, market, destination, channel, bookings::text, travelers::text,
            revenue_cents::text, cancellations::text, cancelled_cents::text
     FROM bookings_daily${suffix} ORDER BY 1, 2, 3, 4`,
  );
  return { arrivals, media, bookings };
}

/**
 * Whole-market KPI values for local dates [from, to], straight from the events (docs/contract §3):
 * the numbers every snapshot must carry.
 */
export async function kpisFromEvents(
  pool: Pool,
  timeZone: string,
  from: string,
  to: string,
): Promise<Record<string, number>> {
  const { rows } = await pool.query(
    `WITH ${BOOKINGS},
     cancels AS (SELECT cents FROM counted_cancel WHERE day BETWEEN $2 AND $3)
     SELECT
       (SELECT coalesce(sum((data->>'travelers')::bigint), 0) FROM local
        WHERE type = 'ArrivalRecorded' AND day BETWEEN $2 AND $3)::float8 AS arrivals,
       (SELECT count(*) FROM priced WHERE day BETWEEN $2 AND $3)::float8 AS bookings,
       (SELECT count(*) FROM cancels)::float8 AS bookings_cancelled,
       (SELECT coalesce(sum(cents), 0) FROM priced WHERE day BETWEEN $2 AND $3)::float8 / 100 AS revenue_usd,
       ((SELECT coalesce(sum(cents), 0) FROM priced WHERE day BETWEEN $2 AND $3)
        - (SELECT coalesce(sum(cents), 0) FROM cancels))::float8 / 100 AS net_revenue_usd,
       (SELECT coalesce(sum((data->>'views')::bigint), 0) FROM local
        WHERE type = 'MediaViewsReported' AND day BETWEEN $2 AND $3)::float8 AS media_views`,
    [timeZone, from, to],
  );
  return rows[0] as Record<string, number>;
}
