/** Why a record was not accepted (PRODUCT.md §2). */
export const REJECTION_CODES = [
  'malformed_json',
  'too_large',
  'schema',
  'unknown_type',
  'unknown_version',
  'unknown_currency',
  'future_event',
  'conflict',
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
