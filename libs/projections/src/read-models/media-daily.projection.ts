import type { ProjectionName } from '@caravan/contract';
import { EVENTS_TABLE } from '@caravan/event-store';
import { markDaysCte, type Projection, table } from '../projection';
import { assertSqlFoldVersion } from './sql-fold';

assertSqlFoldVersion('media_daily', ['MediaViewsReported'], 1);

/**
 * Media views (gained since the previous report) per local day × platform, campaign, market,
 * summed inside PostgreSQL over each range of the store.
 */
export const mediaDaily: Projection = {
  name: 'media_daily' satisfies ProjectionName,
  eventTypes: ['MediaViewsReported'],
  tables: ['media_daily'],
  ddl: (t) => [
    `CREATE TABLE IF NOT EXISTS ${table(t, 'media_daily')} (
       day date NOT NULL, platform text NOT NULL, campaign text NOT NULL, market text NOT NULL,
       views bigint NOT NULL, reports bigint NOT NULL,
       PRIMARY KEY (day, platform, campaign, market))`,
  ],
  applyRange: async (client, range, t, { timeZone }) => {
    const { rows } = await client.query<{ n: number }>(
      `WITH folded AS (
         SELECT (occurred_at AT TIME ZONE $3)::date AS day, data->>'platform' AS platform,
                data->>'campaign' AS campaign, data->>'market' AS market, sum((data->>'views')::bigint) AS views,
                count(*) AS reports
         FROM ${EVENTS_TABLE}
         WHERE position > $1::bigint AND position <= $2::bigint AND type = 'MediaViewsReported'
         GROUP BY 1, 2, 3, 4),
       upserted AS (
         INSERT INTO ${table(t, 'media_daily')} AS m (day, platform, campaign, market, views, reports)
         SELECT * FROM folded
         ON CONFLICT (day, platform, campaign, market)
         DO UPDATE SET views = m.views + EXCLUDED.views, reports = m.reports + EXCLUDED.reports),
       marked AS (${markDaysCte('folded', '$4', '$2')})
       SELECT coalesce(sum(reports), 0)::int AS n FROM folded`,
      [range.after, range.upper, timeZone, table(t, 'media_daily')],
    );
    return rows[0]?.n ?? 0;
  },
};
