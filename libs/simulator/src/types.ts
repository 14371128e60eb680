import type { ForeseenRejectionCode, RejectionCode, TopicRole, TourismEvent } from '@caravan/contract';

/** What the pipeline must decide for a record (docs/contract §2). */
export type SimOutcome =
  { outcome: 'accepted' } | { outcome: 'duplicate' } | { outcome: 'rejected'; code: RejectionCode };

/** A valid event envelope, as produced (data of version 1). */
export type SimEvent = TourismEvent;

/**
 * One Kafka record to produce: role → topic (bookings|arrivals|media), key, exact bytes, and what
 * the pipeline must do with it.
 */
export type SimRecord = { role: TopicRole; key: string; value: Buffer; expected: SimOutcome; event?: SimEvent };

/** Every kind of invalid record the simulator crafts: one per rejection code the pipeline detects. */
export type BadKind = ForeseenRejectionCode;

/**
 * Shares in [0, 1) of the records that are invalid and exact redeliveries; invalid ones spread
 * evenly over `badKinds` (default: all).
 */
export type TrafficMix = { badShare: number; duplicateShare: number; badKinds?: readonly RejectionCode[] };

export type OutcomeSummary = {
  records: number;
  accepted: number;
  duplicate: number;
  rejected: number;
  rejectedByCode: Partial<Record<RejectionCode, number>>;
};

export type RankEntry = { destination: string; bookings: number };

/**
 * A ytd snapshot's figures as the publisher publishes them: USD in dollars (cents exact),
 * percentages to one decimal, `target`/`progressPct` null without a target (absent for ranks).
 */
export type ExpectedKpi = {
  kpi: string;
  window: 'ytd';
  scope: Record<string, string>;
  value: number | RankEntry[];
  previous: number | RankEntry[];
  changePct: number | null;
  target?: number | null;
  progressPct?: number | null;
};
