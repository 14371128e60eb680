import { z } from 'zod';
import { country, slug } from '../primitives';

export const mediaViewsReportedV1 = z.strictObject({
  platform: slug.describe('douyin, weibo, wechat, xiaohongshu, cctv, bilibili, …'),
  campaign: slug,
  market: country,
  views: z.int().min(0).describe('views gained since the previous report, not a running total'),
});

export type MediaViewsReportedData = z.infer<typeof mediaViewsReportedV1>;
