import type { TourismEvent } from '@caravan/contract';
import { localDate, type RateTable } from '@caravan/domain';
import type { Pool } from 'pg';

export type Check = { ok: boolean; detail: string };

type Expected = {
  travelers: bigint;
  bookings: bigint;
  grossUsdCents: bigint;
  views: bigint;
  cancellations: number;
  arrivalsByDay: Map<string, bigint>;
};

/** The same figures folded in memory from the input, with no Emmett involved. */
function expectedOf(events: readonly TourismEvent[], timeZone: string, rates: RateTable): Expected {
  const x: Expected = {
    travelers: 0n,
    bookings: 0n,
    grossUsdCents: 0n,
    views: 0n,
    cancellations: 0,
    arrivalsByDay: new Map(),
  };
  for (const e of events) {
    const atMs = Date.parse(e.occurredAt);
    if (e.type === 'ArrivalRecorded') {
      const day = localDate(atMs, timeZone);
      x.travelers += BigInt(e.data.travelers);
      x.arrivalsByDay.set(day, (x.arrivalsByDay.get(day) ?? 0n) + BigInt(e.data.travelers));
    } else if (e.type === 'BookingCreated') {
      x.bookings += 1n;
      x.grossUsdCents += rates.toUsdCents(e.data.price.amount, e.data.price.currency, atMs);
    } else if (e.type === 'MediaViewsReported') x.views += BigInt(e.data.views);
    else x.cancellations += 1;
  }
  return x;
}

const byDay = (rows: { day: string; travelers: string }[]): Map<string, bigint> =>
  new Map(rows.map((r) => [r.day, BigInt(r.travelers)]));

function sameDays(a: Map<string, bigint>, b: Map<string, bigint>): boolean {
  return a.size === b.size && [...a].every(([day, n]) => b.get(day) === n);
}

/**
 * Compares the projected tables with the input, and per-day arrivals with a fold in memory and a
 * GROUP BY over Emmett's messages.
 */
export async function checkAggregates(
  pool: Pool,
  events: readonly TourismEvent[],
  timeZone: string,
  rates: RateTable,
): Promise<Check> {
  const x = expectedOf(events, timeZone, rates);
  const one = async (sql: string, params: unknown[] = []): Promise<Record<string, string>> =>
    (await pool.query(sql, params)).rows[0] ?? {};
  const stored = BigInt((await one('SELECT count(*)::text AS n FROM emt_messages')).n ?? '0');
  const b = await one(
    'SELECT coalesce(sum(bookings), 0)::text AS bookings, coalesce(sum(gross_usd_cents), 0)::text ' +
      'AS gross FROM bookings_daily',
  );
  const views = BigInt((await one('SELECT coalesce(sum(views), 0)::text AS views FROM media_daily')).views ?? '0');
  const projected = byDay(
    (await pool.query('SELECT day::text AS day, sum(travelers)::text AS travelers FROM arrivals_daily GROUP BY day'))
      .rows,
  );
  const folded = byDay(
    (
      await pool.query(
        `SELECT ((message_metadata->>'occurredAt')::timestamptz AT TIME ZONE $1)::date::text AS day,
               sum((message_data->>'travelers')::bigint)::text AS travelers
       FROM emt_messages WHERE message_type = 'ArrivalRecorded' GROUP BY 1`,
        [timeZone],
      )
    ).rows,
  );
  const travelers = [...projected.values()].reduce((s, n) => s + n, 0n);
  const failures = [
    stored !== BigInt(events.length) && `emt_messages holds ${stored} messages, expected ${events.length}`,
    travelers !== x.travelers && `arrivals_daily travelers ${travelers}, expected ${x.travelers}`,
    BigInt(b.bookings ?? '0') !== x.bookings && `bookings_daily bookings ${b.bookings}, expected ${x.bookings}`,
    BigInt(b.gross ?? '0') !== x.grossUsdCents &&
      `bookings_daily gross_usd_cents ${b.gross}, expected ${x.grossUsdCents}`,
    views !== x.views && `media_daily views ${views}, expected ${x.views}`,
    !sameDays(projected, x.arrivalsByDay) && 'arrivals per day differ from the in-memory fold',
    !sameDays(projected, folded) && 'arrivals per day differ from a GROUP BY over emt_messages',
  ].filter((f): f is string => typeof f === 'string');
  const summary =
    `${stored} messages stored; ${travelers} travelers over ${projected.size} days, ${b.bookings} bookings ` +
    `(${b.gross} gross USD cents), ${views} views; cancellations stored (${x.cancellations}) but not projected`;
  return failures.length === 0
    ? { ok: true, detail: `${summary}: all match` }
    : { ok: false, detail: `${failures.join('; ')} (${summary})` };
}
