import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The process's metrics registry: one app per process, so one registry. */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'caravan_' });

const sizeBuckets = [1, 10, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000];
const secondBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export const ingestBatchSize = new Histogram({
  name: 'caravan_ingest_batch_records',
  help: 'Records per ingested partition batch',
  buckets: sizeBuckets,
  registers: [registry],
});
export const ingestBatchSeconds = new Histogram({
  name: 'caravan_ingest_batch_seconds',
  help: 'Duration of one ingest batch transaction',
  buckets: secondBuckets,
  registers: [registry],
});
export const snapshotRunSeconds = new Histogram({
  name: 'caravan_snapshot_run_seconds',
  help:
    "Duration of a leading publisher's run by phase: compute (reading the aggregates), kafka (the " +
    'transaction of changed snapshots), store (history and latest in PostgreSQL)',
  labelNames: ['phase'],
  buckets: secondBuckets,
  registers: [registry],
});
export const snapshotRunPublished = new Histogram({
  name: 'caravan_snapshot_run_published',
  help: 'Snapshots published per run of the leading publisher (0: nothing changed)',
  buckets: sizeBuckets,
  registers: [registry],
});
export const snapshotSumsDrift = new Counter({
  name: 'caravan_snapshot_sums_drift_total',
  help:
    "Checks (one a minute) in which the publisher's day sums kept between runs differed from the daily " +
    'tables (the tables were used and the sums read again): a writer of the tables left no hand-off',
  registers: [registry],
});
export const projectionBatchSize = new Histogram({
  name: 'caravan_projection_batch_events',
  help: 'Events per projection batch',
  labelNames: ['projection'],
  buckets: sizeBuckets,
  registers: [registry],
});
export const projectionBatchSeconds = new Histogram({
  name: 'caravan_projection_batch_seconds',
  help: 'Duration of one projection batch transaction',
  labelNames: ['projection'],
  buckets: secondBuckets,
  registers: [registry],
});

// Read from PostgreSQL at each scrape, so they are the database's own counts, whichever instance ingested.
export const recordsConsumed = new Counter({
  name: 'caravan_records_consumed_total',
  help: 'Inbound records consumed',
  labelNames: ['topic'],
  registers: [registry],
});
export const eventsAccepted = new Counter({
  name: 'caravan_events_accepted_total',
  help: 'Events appended to the event store',
  labelNames: ['topic'],
  registers: [registry],
});
export const duplicates = new Counter({
  name: 'caravan_duplicates_total',
  help: 'Records whose eventId was stored with the same content',
  labelNames: ['topic'],
  registers: [registry],
});
export const rejections = new Counter({
  name: 'caravan_rejections_total',
  help: 'Records rejected, by code: every rejection ever made, a replayed one included (it never goes down)',
  labelNames: ['topic', 'code'],
  registers: [registry],
});
export const replayed = new Counter({
  name: 'caravan_replayed_total',
  help:
    'Rejections a replay turned into an accepted event or a duplicate (counted in those too): ' +
    'consumed = accepted + duplicates + rejections - replayed',
  labelNames: ['topic', 'outcome'],
  registers: [registry],
});
export const consumerLag = new Gauge({
  name: 'caravan_consumer_lag_records',
  help: 'Records in a partition not ingested yet (high watermark minus the stored offset)',
  labelNames: ['topic', 'partition'],
  registers: [registry],
});
export const projectionLagEvents = new Gauge({
  name: 'caravan_projection_lag_events',
  help: 'Events in the store a projection has not applied',
  labelNames: ['projection'],
  registers: [registry],
});
export const projectionLagSeconds = new Gauge({
  name: 'caravan_projection_lag_seconds',
  help: 'Age of the oldest event a projection has not applied (0 when caught up)',
  labelNames: ['projection'],
  registers: [registry],
});
export const snapshotAgeSeconds = new Gauge({
  name: 'caravan_snapshot_age_seconds',
  help: 'Seconds since the newest KPI snapshot was computed',
  registers: [registry],
});
export const storeAppendOnly = new Gauge({
  name: 'caravan_event_store_append_only',
  help:
    "1 when the event store's owner, grants and append-only triggers are as shipped, 0 when not " +
    '(caravan status names what differs)',
  registers: [registry],
});
export const pipelineMetricsRefreshed = new Gauge({
  name: 'caravan_pipeline_metrics_refreshed_timestamp_seconds',
  help:
    'When the pipeline-wide metrics were last read from PostgreSQL (Unix seconds; 0 before the first read): ' +
    'they keep their values while reads fail',
  registers: [registry],
});

// The ingestor's own view of trouble (process counters: this instance's attempts and decisions).
export const ingestFailures = new Counter({
  name: 'caravan_ingest_transaction_failures_total',
  help:
    'Ingest transactions that failed and were retried, by kind: ' +
    'transient (connection, restart, deadlock, timeout) or fault (a defect, a permission)',
  labelNames: ['kind'],
  registers: [registry],
});
export const ingestSeeks = new Counter({
  name: 'caravan_ingest_seeks_total',
  help: 'Times the consumer was sent back to the offset PostgreSQL expects (a batch started after it)',
  labelNames: ['topic'],
  registers: [registry],
});
export const ingestOffsetsSkipped = new Counter({
  name: 'caravan_ingest_offsets_skipped_total',
  help: 'Offsets never read because Kafka no longer had them (retention deleted them before they were ingested)',
  labelNames: ['topic'],
  registers: [registry],
});
export const offsetBeyondLogEnd = new Gauge({
  name: 'caravan_ingest_offset_beyond_log_end',
  help:
    'Offsets by which the stored offset of a paused partition lies beyond its log end ' +
    '(topic re-created or log truncated); `caravan offsets reset` accepts the new log',
  labelNames: ['topic', 'partition'],
  registers: [registry],
});
export const listenConnected = new Gauge({
  name: 'caravan_database_listen_connected',
  help: 'Whether the LISTEN connection for a channel is up (1) or reconnecting (0; the app polls meanwhile)',
  labelNames: ['channel'],
  registers: [registry],
});
export const dlqRefused = new Counter({
  name: 'caravan_dlq_refused_total',
  help: 'Rejections the dead-letter topic refused even alone (too large, invalid): marked in PostgreSQL and skipped',
  registers: [registry],
});
export const dlqPending = new Gauge({
  name: 'caravan_dlq_pending_records',
  help: 'Rejections not on the dead-letter topic yet (the relay publishes them; they wait while Kafka is away)',
  registers: [registry],
});
export const dlqUnpublishable = new Gauge({
  name: 'caravan_dlq_unpublishable_records',
  help:
    'Rejections the dead-letter topic refused even alone, kept in PostgreSQL with the reason ' +
    '(GET /v1/admin/rejections?dlq=refused)',
  registers: [registry],
});
export const publisherLeading = new Gauge({
  name: 'caravan_publisher_leading',
  help: 'Whether this publisher leads (1: it publishes) or stands by (0); exactly one publisher of a pipeline leads',
  registers: [registry],
});
export const streamSubscribers = new Gauge({
  name: 'caravan_stream_subscribers',
  help: 'Open Server-Sent Event streams of this api (at most API_STREAM_MAX_CLIENTS)',
  registers: [registry],
});
export const streamReads = new Counter({
  name: 'caravan_stream_reads_total',
  help:
    'Queries of the snapshot history made for the live streams: ' +
    'by the shared reader (one per wake-up, whatever the number of subscribers) ' +
    'or by a subscriber of its own (its first snapshots, a resume)',
  labelNames: ['reader'],
  registers: [registry],
});
export const adminRequestsUnrecorded = new Counter({
  name: 'caravan_admin_requests_unrecorded_total',
  help:
    'Admin requests logged but given no audit row: to a path no route has (not_found), or refused by the ' +
    'rate limit again within a minute of a recorded refusal (rate_limited)',
  labelNames: ['reason'],
  registers: [registry],
});
export const adminAuditFailures = new Counter({
  name: 'caravan_admin_audit_failures_total',
  help:
    'Admin requests whose audit row could not be written (the request was answered; its log line names it): ' +
    'anything above 0 is a gap in admin_audit',
  registers: [registry],
});
export const projectionSetAside = new Gauge({
  name: 'caravan_projection_events_set_aside',
  help: 'Events a projection could not apply and set aside (applied again by a rebuild once the cause is fixed)',
  labelNames: ['projection'],
  registers: [registry],
});
