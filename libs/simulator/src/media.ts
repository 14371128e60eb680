import type { MediaViewsReportedData } from '@caravan/contract';
import { LIVE_CAMPAIGNS, LIVE_VIEWS, MEDIA_SPIKES } from './catalog/media.catalog';
import type { Random } from './random';

/**
 * How a campaign's views spread over its days: a launch burst fading over about two weeks onto a
 * steady level, weekends a little higher, jumps on the days in MEDIA_SPIKES.
 */
export function campaignDayWeights(days: readonly string[]): number[] {
  return days.map((day, i) => {
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    const weekend = weekday === 0 || weekday === 6 ? 1.15 : 1;
    return (1 + 3 * Math.exp(-i / 10)) * weekend * (MEDIA_SPIKES[day] ?? 1);
  });
}

/** How many reports a day's views come in: analytics exports run twice a day once there is something to report. */
export function reportsPerDay(views: number): number {
  return views >= 5_000 ? 2 : 1;
}

/** A live report: views gained on one platform for one campaign since its previous report. */
export function liveMediaReport(random: Random): MediaViewsReportedData {
  const { campaign, platform, market } = random.weighted(LIVE_CAMPAIGNS);
  const typical = LIVE_VIEWS[platform] ?? 3_000;
  // Now and then nothing new since the last export.
  const views = random.chance(0.03) ? 0 : Math.round(typical * (0.2 + 1.6 * random.next()));
  return { platform, campaign, market, views };
}
