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
/**
 * A finished replay's result, as the api and the CLI answer it (a running replay's recorded result
 * is where it stands, `{after, count}`; its outcomes are the request's rejection_replays rows).
 */
export type ReplayResult = { outcomes: ReplayOutcome[]; after?: string };
