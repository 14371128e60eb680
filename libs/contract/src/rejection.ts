/** Why a record was not accepted (docs/contract §2). */
export const REJECTION_CODES = [
  'malformed_json',
  'too_large',
  'schema',
  'unknown_type',
  'unknown_version',
  'unknown_currency',
  'future_event',
  'conflict',
  // Passed validation, but the event store refused it (the detail is the database's reason).
  'unstorable',
] as const;

export type RejectionCode = (typeof REJECTION_CODES)[number];
export type Rejection = { code: RejectionCode; detail: string };

/** Header names of a record on the dead-letter topic. */
export const DLQ_HEADERS = {
  code: 'x-error-code',
  detail: 'x-error-detail',
  topic: 'x-source-topic',
  partition: 'x-source-partition',
  offset: 'x-source-offset',
} as const;

/**
 * The codes validation and the store's duplicate check give. `unstorable` is the defence behind
 * them: a record the validator passed and the store refused, which no known record reaches.
 */
export type ForeseenRejectionCode = Exclude<RejectionCode, 'unstorable'>;
export const FORESEEN_REJECTION_CODES: readonly ForeseenRejectionCode[] = REJECTION_CODES.filter(
  (c): c is ForeseenRejectionCode => c !== 'unstorable',
);
