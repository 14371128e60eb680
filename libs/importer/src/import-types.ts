import type { TopicRole } from '@caravan/contract';

export type ImportFormat = 'ndjson' | 'csv';

/**
 * One record to produce, in file order. `problem` is set when the pipeline would reject the line
 * (`code: detail`, the code being the rejection code it will report); such lines are still sent,
 * so the pipeline's DLQ shows them.
 */
export type ImportRecord = { line: number; role: TopicRole; key: string | null; value: Buffer; problem?: string };

export type ImportOptions = {
  /** Default: from the extension (see detectFormat). */
  format?: ImportFormat;
  /** CSV only: the event type of every row whose `type` cell is absent or empty. */
  type?: string;
  /** CSV only: envelope producer when a row has no `producer` cell (default 'caravan-import'). */
  producer?: string;
  /** CSV: an occurredAt without an offset is local time in this IANA zone. */
  timeZone: string;
  /** Where a line whose type cannot be read goes. */
  fallbackRole: TopicRole;
  /** The wall clock local validation compares occurredAt with (future_event); default Date.now(). */
  nowMs?: number;
  /** Whether a reference rate exists for a currency at an instant; default: accept any. */
  hasRate?: (currency: string, atMs: number) => boolean;
};
