import type { ArrivalRecordedData } from '@caravan/contract';
import { HOURS, type HourProfile } from '../calendar/time-of-day';
import type { Weighted } from '../random';

type Purpose = ArrivalRecordedData['purpose'];

/**
 * One entry point: how many travellers one record counts (a flight, a train, a border batch), when,
 * and where they head.
 */
export type PortProfile = { batch: readonly [number, number]; hours: HourProfile; destinations: Weighted<string> };

export const PORTS: Readonly<Record<string, PortProfile>> = {
  'ala-airport': {
    batch: [25, 170],
    hours: HOURS.airport,
    destinations: [
      ['almaty', 60],
      ['kolsai-lakes', 9],
      ['charyn-canyon', 7],
      ['turkestan', 8],
      ['shymkent', 6],
      ['astana', 6],
      ['borovoe', 4],
    ],
  },
  'nqz-airport': {
    batch: [20, 140],
    hours: HOURS.airport,
    destinations: [
      ['astana', 74],
      ['borovoe', 20],
      ['almaty', 6],
    ],
  },
  khorgos: {
    batch: [5, 60],
    hours: HOURS.border,
    destinations: [
      ['almaty', 64],
      ['kolsai-lakes', 15],
      ['charyn-canyon', 15],
      ['astana', 6],
    ],
  },
  'dostyk-rail': {
    batch: [20, 120],
    hours: HOURS.rail,
    destinations: [
      ['almaty', 58],
      ['astana', 26],
      ['turkestan', 10],
      ['shymkent', 6],
    ],
  },
  'almaty-rail': {
    batch: [15, 110],
    hours: HOURS.rail,
    destinations: [
      ['almaty', 70],
      ['turkestan', 10],
      ['shymkent', 10],
      ['kolsai-lakes', 10],
    ],
  },
  korday: {
    batch: [4, 45],
    hours: HOURS.border,
    destinations: [
      ['almaty', 80],
      ['kolsai-lakes', 10],
      ['charyn-canyon', 10],
    ],
  },
};

/** Where travellers of each nationality come in. */
const PORTS_CN: Weighted<string> = [
  ['ala-airport', 42],
  ['khorgos', 22],
  ['nqz-airport', 14],
  ['dostyk-rail', 10],
  ['almaty-rail', 12],
];
const PORTS_BY_NATIONALITY: Readonly<Record<string, Weighted<string>>> = {
  CN: PORTS_CN,
  RU: [
    ['ala-airport', 42],
    ['nqz-airport', 40],
    ['almaty-rail', 18],
  ],
  UZ: [
    ['ala-airport', 45],
    ['almaty-rail', 35],
    ['nqz-airport', 20],
  ],
  KG: [
    ['korday', 72],
    ['ala-airport', 28],
  ],
};
const PORTS_FAR: Weighted<string> = [
  ['ala-airport', 70],
  ['nqz-airport', 30],
];

export function portsOf(nationality: string): Weighted<string> {
  return PORTS_BY_NATIONALITY[nationality] ?? PORTS_FAR;
}

/**
 * Live traffic, per record: Chinese travellers come in bigger groups, so this gives them about two
 * thirds of the travellers; then neighbours and long-haul markets.
 */
export const NATIONALITIES: Weighted<string> = [
  ['CN', 40],
  ['RU', 10],
  ['UZ', 7],
  ['KG', 5],
  ['KR', 4],
  ['DE', 2.5],
  ['TR', 2.5],
  ['IN', 2.5],
  ['US', 2.5],
];

/** Astana is the business and medical hub; elsewhere travellers mostly come for tourism. */
export const PURPOSES_BY_DESTINATION: Readonly<Record<string, Weighted<Purpose>>> = {
  astana: [
    ['tourism', 45],
    ['business', 30],
    ['medical', 15],
    ['transit', 5],
    ['other', 5],
  ],
};
export const PURPOSES: Weighted<Purpose> = [
  ['tourism', 80],
  ['business', 8],
  ['medical', 3],
  ['transit', 5],
  ['other', 4],
];
