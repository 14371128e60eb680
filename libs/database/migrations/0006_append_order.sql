-- Appends are serialised until commit by a transaction-level advisory lock (appendEvents), so
-- positions are handed out in commit order and readers tail the store by position alone: a
-- reader that sees position p sees every event below it. The (transaction_id, position) index
-- that tailing below the snapshot xmin needed is no longer read; transaction_id stays recorded.
DROP INDEX IF EXISTS events_tailing_idx;

COMMENT ON TABLE events IS
  'Append-only event store. Appends hold the advisory lock hashtext(''caravan:event-store-append'') until commit, so position order is commit order; readers tail by position.';
