import type { Position } from './position';

/**
 * The tables of the store: written and read only through this library (projections fold ranges of it in SQL by this
 * name).
 */
export const EVENTS_TABLE = 'events';
export const CHECKPOINTS_TABLE = 'projection_checkpoints';

/** Where an event came from: the inbound record (topic, partition, offset) that carried it first. */
export type EventSource = { topic: string; partition: number; offset: string };

/** An event to append: validated, with the hash of its content (equal hash, same content). */
export type NewEvent = {
  eventId: string;
  type: string;
  version: number;
  /** ISO-8601 with its offset, as the producer wrote it. */
  occurredAt: string;
  producer: string;
  data: Record<string, unknown>;
  /** sha256 (hex) of the canonical JSON of everything but eventId. */
  contentHash: string;
  source: EventSource;
};

/** An event as the store holds it: its position, and `data` read as the current version of `type`. */
export type StoredEvent = {
  position: Position;
  eventId: string;
  type: string;
  /** The version the producer wrote. */
  version: number;
  occurredAt: Date;
  producer: string;
  data: Record<string, unknown>;
};
