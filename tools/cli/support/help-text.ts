// What the commands' help says about parts of the application it must not load to say it (the
// definitions are built for every `--help`). help-text.unit.spec.ts keeps each equal to its source.

/** csvColumnsSummary() of @caravan/importer: the CSV column mapping, for `caravan import --help`. */
export const CSV_COLUMNS_SUMMARY = [
  'every row: occurredAt; optional type, eventId, producer, version',
  'BookingCreated: bookingId, market, destination, channel, travelers, checkIn, nights, price.amount, price.currency',
  'BookingCancelled: bookingId; optional reason',
  'ArrivalRecorded: nationality, port, purpose, travelers; optional destination',
  'MediaViewsReported: platform, campaign, market, views',
].join('\n');
