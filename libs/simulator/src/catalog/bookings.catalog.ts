import type { BookingCreatedData } from '@caravan/contract';
import { HOURS, type HourProfile } from '../calendar/time-of-day';
import type { Weighted } from '../random';

type Channel = BookingCreatedData['channel'];

/** How a channel sells: group size, nights, USD per traveller-night, how long ahead, how often cancelled. */
export type ChannelProfile = {
  code: string;
  travelers: readonly [number, number];
  nights: readonly [number, number];
  usdPerNight: readonly [number, number];
  leadDays: readonly [number, number];
  cancelShare: number;
  hours: HourProfile;
};

export const CHANNELS: Readonly<Record<Channel, ChannelProfile>> = {
  tour_operator: {
    code: 'TO',
    travelers: [8, 40],
    nights: [4, 10],
    usdPerNight: [120, 240],
    leadDays: [14, 120],
    cancelShare: 0.05,
    hours: HOURS.office,
  },
  ota: {
    code: 'OTA',
    travelers: [1, 4],
    nights: [1, 7],
    usdPerNight: [70, 220],
    leadDays: [1, 60],
    cancelShare: 0.08,
    hours: HOURS.online,
  },
  agency: {
    code: 'AG',
    travelers: [2, 14],
    nights: [3, 12],
    usdPerNight: [130, 300],
    leadDays: [7, 90],
    cancelShare: 0.06,
    hours: HOURS.office,
  },
  direct: {
    code: 'DR',
    travelers: [1, 3],
    nights: [1, 5],
    usdPerNight: [60, 200],
    leadDays: [1, 30],
    cancelShare: 0.07,
    hours: HOURS.online,
  },
};

export const CHANNELS_CN: Weighted<Channel> = [
  ['tour_operator', 42],
  ['ota', 33],
  ['agency', 15],
  ['direct', 10],
];
export const CHANNELS_OTHER: Weighted<Channel> = [
  ['tour_operator', 20],
  ['ota', 45],
  ['agency', 15],
  ['direct', 20],
];

/** Almaty by far, then Astana and the nature and heritage sites. */
export const BOOKED_DESTINATIONS: Weighted<string> = [
  ['almaty', 47],
  ['astana', 17],
  ['turkestan', 8],
  ['kolsai-lakes', 8],
  ['borovoe', 7],
  ['shymkent', 6],
  ['charyn-canyon', 7],
];
/** Price level of a destination relative to the channel's range. */
export const PRICE_LEVEL: Readonly<Record<string, number>> = {
  almaty: 1.1,
  astana: 1.15,
  borovoe: 1.0,
  'kolsai-lakes': 0.85,
  'charyn-canyon': 0.8,
  turkestan: 0.9,
  shymkent: 0.85,
};

/** The currencies a market pays in. */
export const CURRENCIES_BY_MARKET: Readonly<Record<string, Weighted<string>>> = {
  CN: [
    ['CNY', 70],
    ['USD', 20],
    ['KZT', 10],
  ],
  RU: [
    ['RUB', 45],
    ['KZT', 35],
    ['USD', 20],
  ],
  DE: [
    ['EUR', 70],
    ['USD', 30],
  ],
};
export const CURRENCIES_OTHER: Weighted<string> = [
  ['USD', 65],
  ['KZT', 35],
];

/** Live traffic: booking markets. */
export const MARKETS: Weighted<string> = [
  ['CN', 60],
  ['RU', 12],
  ['KR', 6],
  ['UZ', 5],
  ['DE', 4],
  ['KG', 3],
  ['US', 4],
  ['TR', 3],
  ['IN', 3],
];

export const CANCEL_REASONS = [
  'visa not issued',
  'changed plans',
  'flight cancelled',
  'illness',
  'found a better price',
  'weather',
] as const;
