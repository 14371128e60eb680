/** The inbound topics, by the events they carry (docs/contract §1). */
export const TOPIC_ROLES = ['bookings', 'arrivals', 'media'] as const;
export type TopicRole = (typeof TOPIC_ROLES)[number];

/** Default topic names (docs/contract §1, §4); each is configurable. */
export const DEFAULT_TOPICS = {
  bookings: 'tourism.bookings',
  arrivals: 'tourism.arrivals',
  media: 'tourism.media',
  dlq: 'tourism.dlq',
  snapshots: 'tourism.kpi-snapshots',
} as const;

export type TopicNames = Record<TopicRole | 'dlq' | 'snapshots', string>;
