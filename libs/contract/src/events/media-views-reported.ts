import { z } from 'zod';
import { country, slug } from '../primitives';

/** The most views one report may add (bounds of 2026-11-30). */
export const MAX_VIEWS_PER_REPORT = 1_000_000_000;

export const mediaViewsReportedV1 = z.strictObject({
  platform: slug.describe('douyin, weibo, wechat, xiaohongshu, cctv, bilibili, …'),
  campaign: slug,
  market: country,
  views: z
    .int()
    .min(0)
    .max(MAX_VIEWS_PER_REPORT)
    .describe('views gained since the previous report, not a running total'),
});

export type MediaViewsReportedData = z.infer<typeof mediaViewsReportedV1>;
