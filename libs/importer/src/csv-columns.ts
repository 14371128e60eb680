export type CsvColumnSet = { required: string[]; optional: string[] };

/**
 * Columns of the envelope, the same for every type. `type` is required unless the rows' type is
 * given in the options.
 */
export const ENVELOPE_COLUMNS: CsvColumnSet = {
  required: ['occurredAt'],
  optional: ['type', 'eventId', 'producer', 'version'],
};

/**
 * Per event type, the columns that fill `data` (docs/contract §1 names; a dotted name is a nested
 * field). Required means the pipeline rejects the row with `schema` when the cell is empty.
 */
export const CSV_COLUMNS: Record<string, CsvColumnSet> = {
  BookingCreated: {
    required: [
      'bookingId',
      'market',
      'destination',
      'channel',
      'travelers',
      'checkIn',
      'nights',
      'price.amount',
      'price.currency',
    ],
    optional: [],
  },
  BookingCancelled: { required: ['bookingId'], optional: ['reason'] },
  ArrivalRecorded: { required: ['nationality', 'port', 'purpose', 'travelers'], optional: ['destination'] },
  MediaViewsReported: { required: ['platform', 'campaign', 'market', 'views'], optional: [] },
};

/**
 * Cells of these columns become JSON numbers when they are plain integers; anything else stays text
 * for the pipeline to reject.
 */
export const INTEGER_COLUMNS: ReadonlySet<string> = new Set(['version', 'travelers', 'nights', 'views']);

/** The mapping of a type, or undefined for a type that has none (not an own key: `constructor` is not a type). */
export function columnsOfType(type: string): CsvColumnSet | undefined {
  return Object.hasOwn(CSV_COLUMNS, type) ? CSV_COLUMNS[type] : undefined;
}

/** Every column a CSV header may name. */
export function knownColumns(): string[] {
  const data = Object.values(CSV_COLUMNS).flatMap((set) => [...set.required, ...set.optional]);
  return [...new Set([...ENVELOPE_COLUMNS.required, ...ENVELOPE_COLUMNS.optional, ...data])];
}

/** The mapping in a few lines, for a command's --help. */
export function csvColumnsSummary(): string {
  const line = (name: string, set: CsvColumnSet) =>
    `${name}: ${set.required.join(', ')}${set.optional.length > 0 ? `; optional ${set.optional.join(', ')}` : ''}`;
  return [
    line('every row', ENVELOPE_COLUMNS),
    ...Object.entries(CSV_COLUMNS).map(([type, set]) => line(type, set)),
  ].join('\n');
}
