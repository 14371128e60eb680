import type { MediaViewsReportedData } from '@caravan/contract';
import { localDate } from '@caravan/domain';
import type { StoredEvent } from '@caravan/ingest';
import { type Projection, table } from '../projection';

type Row = { day: string; platform: string; campaign: string; market: string; views: number; reports: number };

/** Folds view reports (views gained since the previous report) into per-day sums. Pure. */
export function foldMedia(events: StoredEvent[], timeZone: string): Row[] {
  const rows = new Map<string, Row>();
  for (const e of events) {
    if (e.type !== 'MediaViewsReported') continue;
    const d = e.data as MediaViewsReportedData;
    const day = localDate(e.occurredAt, timeZone);
    const key = `${day}|${d.platform}|${d.campaign}|${d.market}`;
    const sum = rows.get(key) ?? { day, platform: d.platform, campaign: d.campaign, market: d.market, views: 0, reports: 0 };
    sum.views += d.views;
    sum.reports += 1;
    rows.set(key, sum);
  }
  return [...rows.values()];
}

/** Media views per local day × platform, campaign, market. */
export const mediaDaily: Projection = {
  name: 'media_daily',
  eventTypes: ['MediaViewsReported'],
  tables: ['media_daily'],
  ddl: (t) => [
    `CREATE TABLE IF NOT EXISTS ${table(t, 'media_daily')} (
       day date NOT NULL, platform text NOT NULL, campaign text NOT NULL, market text NOT NULL,
       views bigint NOT NULL, reports bigint NOT NULL,
       PRIMARY KEY (day, platform, campaign, market))`,
  ],
  apply: async (client, events, t, { timeZone }) => {
    const rows = foldMedia(events, timeZone);
    if (rows.length === 0) return;
    await client.query(
      `INSERT INTO ${table(t, 'media_daily')} AS m (day, platform, campaign, market, views, reports)
       SELECT * FROM unnest($1::date[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[])
       ON CONFLICT (day, platform, campaign, market)
       DO UPDATE SET views = m.views + EXCLUDED.views, reports = m.reports + EXCLUDED.reports`,
      [rows.map((r) => r.day), rows.map((r) => r.platform), rows.map((r) => r.campaign), rows.map((r) => r.market),
        rows.map((r) => r.views), rows.map((r) => r.reports)],
    );
  },
};
