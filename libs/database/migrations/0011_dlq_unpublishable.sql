-- A rejection the dead-letter topic refuses even alone (larger than the broker takes, or a value it
-- refuses): marked with the broker's reason and skipped, so it never jams the relay; it stays in
-- PostgreSQL (the admin list and `caravan status` show it) and a relay retries it only when ops
-- clear the mark (UPDATE rejections SET dlq_failed_at = NULL, dlq_error = NULL WHERE id = …).
ALTER TABLE rejections
  ADD COLUMN dlq_failed_at timestamptz,
  ADD COLUMN dlq_error     text;

-- Pending: neither published nor refused.
DROP INDEX rejections_dlq_pending_idx;
CREATE INDEX rejections_dlq_pending_idx ON rejections (id) WHERE dlq_published_at IS NULL AND dlq_failed_at IS NULL;
