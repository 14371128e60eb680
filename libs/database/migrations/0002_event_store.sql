-- The event store: every accepted event, once, in the order it was appended.
-- Readers tail it by (transaction_id, position) and only take rows whose transaction is older
-- than every transaction still running (pg_snapshot_xmin), so a slow writer that commits after a
-- higher position became visible is never skipped (the technique of Emmett and Marten).
CREATE TABLE events (
  position          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  transaction_id    xid8        NOT NULL DEFAULT pg_current_xact_id(),
  event_id          uuid        NOT NULL,
  type              text        NOT NULL,
  version           integer     NOT NULL,
  occurred_at       timestamptz NOT NULL,
  producer          text        NOT NULL,
  -- the data as the producer sent it, in its own schema version (read through upcasters)
  data              jsonb       NOT NULL,
  -- sha256 of the canonical JSON of the envelope without eventId: tells a duplicate from a conflict
  content_hash      bytea       NOT NULL,
  source_topic      text        NOT NULL,
  source_partition  integer     NOT NULL,
  source_offset     bigint      NOT NULL,
  ingested_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT events_event_id_key UNIQUE (event_id)
);

CREATE INDEX events_tailing_idx ON events (transaction_id, position);

CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the event store is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER events_no_update_or_delete BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION events_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();

-- Where each consumer group is in each partition: written in the same transaction as the events
-- of a batch, so a redelivered record is recognised and skipped. -1: nothing consumed yet.
CREATE TABLE ingest_offsets (
  consumer_group  text        NOT NULL,
  topic           text        NOT NULL,
  partition       integer     NOT NULL,
  next_offset     bigint      NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer_group, topic, partition)
);

-- consumed = accepted + duplicate + rejected, per topic (and partition, so concurrent batches of
-- one topic do not queue on one counter row); code is the rejection code, '' otherwise.
CREATE TABLE ingest_counters (
  consumer_group  text    NOT NULL,
  topic           text    NOT NULL,
  partition       integer NOT NULL,
  outcome         text    NOT NULL CHECK (outcome IN ('consumed', 'accepted', 'duplicate', 'rejected')),
  code            text    NOT NULL DEFAULT '',
  count           bigint  NOT NULL,
  PRIMARY KEY (consumer_group, topic, partition, outcome, code)
);

CREATE VIEW ingest_totals AS
  SELECT consumer_group, topic, outcome, code, sum(count)::bigint AS count
  FROM ingest_counters GROUP BY consumer_group, topic, outcome, code;

-- Every rejected record with its original bytes, kept for inspection and replay; also the outbox
-- of the dead-letter topic: dlq_published_at stays null until the record is on tourism.dlq.
CREATE TABLE rejections (
  id                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  consumer_group    text        NOT NULL,
  source_topic      text        NOT NULL,
  source_partition  integer     NOT NULL,
  source_offset     bigint      NOT NULL,
  record_key        bytea,
  record_value      bytea,
  record_timestamp  timestamptz,
  code              text        NOT NULL,
  detail            text        NOT NULL,
  event_id          uuid,
  rejected_at       timestamptz NOT NULL DEFAULT now(),
  dlq_published_at  timestamptz,
  CONSTRAINT rejections_source_key UNIQUE (consumer_group, source_topic, source_partition, source_offset)
);

CREATE INDEX rejections_dlq_pending_idx ON rejections (id) WHERE dlq_published_at IS NULL;
CREATE INDEX rejections_code_time_idx ON rejections (code, rejected_at);

-- Reference rates to USD, valid from a moment on; ops add rows, nothing is overwritten.
CREATE TABLE currency_rates (
  currency      text           NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  valid_from    timestamptz    NOT NULL,
  usd_per_unit  numeric(24, 12) NOT NULL CHECK (usd_per_unit > 0),
  source        text           NOT NULL DEFAULT 'caravan default',
  PRIMARY KEY (currency, valid_from)
);

-- Defaults: 2024 annual averages, valid from 2000 so every plausible event has a rate.
INSERT INTO currency_rates (currency, valid_from, usd_per_unit) VALUES
  ('USD', '2000-01-01T00:00:00Z', 1),
  ('CNY', '2000-01-01T00:00:00Z', 0.1390),
  ('KZT', '2000-01-01T00:00:00Z', 0.00213),
  ('EUR', '2000-01-01T00:00:00Z', 1.0820),
  ('RUB', '2000-01-01T00:00:00Z', 0.01085);
