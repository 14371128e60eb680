-- Readers tail the store by position alone (0006): the transaction id each event recorded, for
-- tailing below the snapshot xmin, is read by nothing. Dropping it changes the catalogue only (the
-- rows are not rewritten; the append-only triggers fire on UPDATE, DELETE and TRUNCATE, not here).
ALTER TABLE events DROP COLUMN transaction_id;
