-- Where each projection is in the event store: the (transaction id, position) of the last event it
-- applied, written in the same transaction as the projection's own writes.
CREATE TABLE projection_checkpoints (
  name            text        PRIMARY KEY,
  transaction_id  xid8        NOT NULL,
  position        bigint      NOT NULL,
  events_applied  bigint      NOT NULL DEFAULT 0,
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Followers LISTEN instead of polling: one notification per appending statement.
CREATE FUNCTION events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('caravan_events', '');
  RETURN NULL;
END;
$$;

CREATE TRIGGER events_appended AFTER INSERT ON events
  FOR EACH STATEMENT EXECUTE FUNCTION events_notify();
