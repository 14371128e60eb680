import type { SimEvent } from '../types';

/**
 * A seed-year event with when it happened and when it is sent: a cancellation sent before its
 * booking is sent at the booking's instant, just ahead of it.
 */
export type TimedEvent = { event: SimEvent; atMs: number; sendAtMs: number; ahead?: boolean };

export const timed = (event: SimEvent, atMs: number): TimedEvent => ({ event, atMs, sendAtMs: atMs });

/** Send order: by sending instant, a cancellation sent ahead just before its booking; otherwise as generated. */
export function sendOrder(events: TimedEvent[]): TimedEvent[] {
  // Array.prototype.sort is stable: equal instants keep the order they were generated in.
  return [...events].sort((a, b) => a.sendAtMs - b.sendAtMs || Number(b.ahead ?? false) - Number(a.ahead ?? false));
}
