-- Readers tail the store by position alone (0006): a checkpoint is the position of the last event
-- a projection has read, and every event up to it has been applied. The transaction id it used
-- to carry is no longer needed; max_position stays (it equals position) for the readers of 0004.
ALTER TABLE projection_checkpoints DROP COLUMN transaction_id;
COMMENT ON COLUMN projection_checkpoints.position IS 'every event at or below this position has been applied';
