-- The replay request an outcome belongs to (null for a replay run outside any request: the CLI's
-- --here): a replay's result is read back from its rows, so its progress need not carry every
-- outcome so far. No foreign key: requests may be cleared while the outcomes stay as history.
ALTER TABLE rejection_replays ADD COLUMN request_id uuid;
CREATE INDEX rejection_replays_request_idx ON rejection_replays (request_id, rejection_id) WHERE request_id IS NOT NULL;
