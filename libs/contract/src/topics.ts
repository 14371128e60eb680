import type { TopicRole } from './registry';

/** Default topic names (docs/contract §1, §4); each is configurable. */
export const DEFAULT_TOPICS = {
  bookings: 'tourism.bookings',
  arrivals: 'tourism.arrivals',
  media: 'tourism.media',
  dlq: 'tourism.dlq',
  snapshots: 'tourism.kpi-snapshots',
} as const;

export type TopicNames = Record<TopicRole | 'dlq' | 'snapshots', string>;
