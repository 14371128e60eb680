-- Every move of a stored ingest offset by ops (`caravan offsets reset`): a partition whose log went
-- backwards (topic re-created, log truncated) is paused until someone accepts the new log, and
-- what they accepted stays on record.
CREATE TABLE ingest_offset_resets (
  id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  consumer_group  text        NOT NULL,
  topic           text        NOT NULL,
  partition       integer     NOT NULL,
  from_offset     bigint,
  to_offset       bigint      NOT NULL,
  log_start       bigint,
  log_end         bigint,
  reason          text        NOT NULL,
  reset_by        text        NOT NULL DEFAULT current_user,
  reset_at        timestamptz NOT NULL DEFAULT now()
);
