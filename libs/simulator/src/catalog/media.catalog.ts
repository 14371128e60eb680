import type { Weighted } from '../random';

/** One campaign on one platform for one market, over local days from–to, gaining `views` in all. */
export type MediaFlight = {
  campaign: string;
  platform: string;
  market: string;
  from: string;
  to: string;
  views: number;
};

/**
 * 2024, the Year of Kazakhstan's Tourism in China (opened 28 March in Beijing, closed 27 November
 * in Almaty): 63.8 million views, the "more than 60 million" of the article, CCTV's documentary
 * "Bond with China" and the Silk Road rally among them. 2023: 8.4 million, a far smaller effort.
 */
export const MEDIA_FLIGHTS: readonly MediaFlight[] = [
  {
    campaign: 'discover-kazakhstan',
    platform: 'douyin',
    market: 'CN',
    from: '2023-05-15',
    to: '2023-10-31',
    views: 3_600_000,
  },
  {
    campaign: 'discover-kazakhstan',
    platform: 'weibo',
    market: 'CN',
    from: '2023-05-15',
    to: '2023-10-31',
    views: 1_500_000,
  },
  {
    campaign: 'discover-kazakhstan',
    platform: 'wechat',
    market: 'CN',
    from: '2023-05-15',
    to: '2023-10-31',
    views: 1_200_000,
  },
  {
    campaign: 'golden-week-almaty',
    platform: 'xiaohongshu',
    market: 'CN',
    from: '2023-09-15',
    to: '2023-10-10',
    views: 1_400_000,
  },
  {
    campaign: 'golden-week-almaty',
    platform: 'douyin',
    market: 'CN',
    from: '2023-09-15',
    to: '2023-10-10',
    views: 700_000,
  },

  {
    campaign: 'year-of-kazakhstan-tourism',
    platform: 'douyin',
    market: 'CN',
    from: '2024-03-28',
    to: '2024-11-27',
    views: 18_500_000,
  },
  {
    campaign: 'year-of-kazakhstan-tourism',
    platform: 'xiaohongshu',
    market: 'CN',
    from: '2024-03-28',
    to: '2024-11-27',
    views: 8_100_000,
  },
  {
    campaign: 'year-of-kazakhstan-tourism',
    platform: 'weibo',
    market: 'CN',
    from: '2024-03-28',
    to: '2024-11-27',
    views: 7_200_000,
  },
  {
    campaign: 'year-of-kazakhstan-tourism',
    platform: 'wechat',
    market: 'CN',
    from: '2024-03-28',
    to: '2024-11-27',
    views: 6_000_000,
  },
  {
    campaign: 'year-of-kazakhstan-tourism',
    platform: 'bilibili',
    market: 'CN',
    from: '2024-03-28',
    to: '2024-11-27',
    views: 3_400_000,
  },
  {
    campaign: 'year-of-kazakhstan-tourism',
    platform: 'weibo',
    market: 'HK',
    from: '2024-03-28',
    to: '2024-11-27',
    views: 600_000,
  },
  {
    campaign: 'bond-with-china',
    platform: 'cctv',
    market: 'CN',
    from: '2024-09-02',
    to: '2024-10-15',
    views: 12_000_000,
  },
  {
    campaign: 'bond-with-china',
    platform: 'weibo',
    market: 'CN',
    from: '2024-09-02',
    to: '2024-10-15',
    views: 1_800_000,
  },
  {
    campaign: 'silk-road-rally',
    platform: 'douyin',
    market: 'CN',
    from: '2024-07-01',
    to: '2024-08-15',
    views: 3_900_000,
  },
  {
    campaign: 'silk-road-rally',
    platform: 'bilibili',
    market: 'CN',
    from: '2024-07-01',
    to: '2024-08-15',
    views: 1_600_000,
  },
  { campaign: 'winter-almaty', platform: 'douyin', market: 'CN', from: '2024-12-01', to: '2024-12-31', views: 700_000 },
];

/** Days a campaign's views jump: launches, the opening in Beijing, Golden Week, the closing forum. */
export const MEDIA_SPIKES: Readonly<Record<string, number>> = {
  '2024-03-28': 4,
  '2024-03-29': 3,
  '2024-10-01': 2,
  '2024-10-02': 1.8,
  '2024-11-27': 3,
  '2023-10-01': 2,
};

/** Live traffic: typical views gained between two reports, per platform. */
export const LIVE_VIEWS: Readonly<Record<string, number>> = {
  douyin: 12_000,
  xiaohongshu: 6_000,
  weibo: 5_000,
  wechat: 4_000,
  bilibili: 2_500,
  cctv: 40_000,
};
export const LIVE_CAMPAIGNS: Weighted<{ campaign: string; platform: string; market: string }> = [
  [{ campaign: 'year-of-kazakhstan-tourism', platform: 'douyin', market: 'CN' }, 25],
  [{ campaign: 'year-of-kazakhstan-tourism', platform: 'xiaohongshu', market: 'CN' }, 15],
  [{ campaign: 'year-of-kazakhstan-tourism', platform: 'weibo', market: 'CN' }, 12],
  [{ campaign: 'year-of-kazakhstan-tourism', platform: 'wechat', market: 'CN' }, 10],
  [{ campaign: 'year-of-kazakhstan-tourism', platform: 'bilibili', market: 'CN' }, 6],
  [{ campaign: 'bond-with-china', platform: 'cctv', market: 'CN' }, 6],
  [{ campaign: 'silk-road-rally', platform: 'douyin', market: 'CN' }, 8],
  [{ campaign: 'silk-road-rally', platform: 'bilibili', market: 'CN' }, 5],
  [{ campaign: 'year-of-kazakhstan-tourism', platform: 'weibo', market: 'HK' }, 3],
  [{ campaign: 'visit-almaty', platform: 'douyin', market: 'KZ' }, 4],
  [{ campaign: 'visit-almaty', platform: 'youtube', market: 'RU' }, 6],
];
