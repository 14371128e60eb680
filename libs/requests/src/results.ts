/** What the executors record as a request's result, and the api and the CLI read back. */

export type TableDifference = {
  table: string;
  differingRows: number;
  examples: Array<{ live: unknown; rebuilt: unknown }>;
};
/**
 * setAside: events the rebuilt projection could not apply either (they stay set aside, now for the
 * live projection once swapped).
 */
export type RebuildReport = {
  projection: string;
  eventsReplayed: number;
  differences: TableDifference[];
  swapped: boolean;
  setAside: number;
};

export type ReplayOutcome = {
  rejectionId: string;
  outcome: 'accepted' | 'duplicate' | 'rejected';
  code?: string;
  detail?: string;
};
/** A replay's result: its outcomes so far; `after`, the last rejection id done, while it runs. */
export type ReplayResult = { outcomes: ReplayOutcome[]; after?: string };
