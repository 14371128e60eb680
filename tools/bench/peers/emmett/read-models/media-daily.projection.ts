import { localDate } from '@caravan/domain';
import { SQL } from '@event-driven-io/dumbo';
import { postgreSQLRawBatchSQLProjection } from '@event-driven-io/emmett-postgresql';
import type { TourismEmmettEvent } from '../events';
import { addTo, valuesOf } from './sql-values';

type Row = { day: string; platform: string; campaign: string; market: string; views: number };

/** Folds a batch into per-day view sums. Pure. */
export function foldMedia(events: readonly TourismEmmettEvent[], timeZone: string): Row[] {
  const rows = new Map<string, Row>();
  for (const e of events) {
    // Inline projections get every event of the append, not only those in canHandle.
    if (e.type !== 'MediaViewsReported') continue;
    const { data: d, metadata } = e;
    const day = localDate(Date.parse(metadata.occurredAt), timeZone);
    const key = `${day}|${d.platform}|${d.campaign}|${d.market}`;
    addTo(
      rows,
      key,
      () => ({ day, platform: d.platform, campaign: d.campaign, market: d.market, views: 0 }),
      (r) => {
        r.views += d.views;
      },
    );
  }
  return [...rows.values()];
}

/** media_daily: views per local day × platform, campaign, market. */
export const mediaDailyProjection = (timeZone: string) =>
  postgreSQLRawBatchSQLProjection<TourismEmmettEvent>({
    name: 'media_daily',
    canHandle: ['MediaViewsReported'],
    init: () => SQL`CREATE TABLE IF NOT EXISTS media_daily (
        day date NOT NULL, platform text NOT NULL, campaign text NOT NULL, market text NOT NULL,
        views bigint NOT NULL, PRIMARY KEY (day, platform, campaign, market))`,
    evolve: (events) => {
      const rows = foldMedia(events, timeZone);
      if (rows.length === 0) return [];
      return [
        SQL`INSERT INTO media_daily AS m (day, platform, campaign, market, views)
            VALUES ${valuesOf(rows.map((r) => [r.day, r.platform, r.campaign, r.market, r.views]))}
            ON CONFLICT (day, platform, campaign, market) DO UPDATE SET views = m.views + EXCLUDED.views`,
      ];
    },
  });
