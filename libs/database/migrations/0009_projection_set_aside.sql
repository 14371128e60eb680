-- Events a projection could not apply (a defect, or data it did not foresee), set aside so the
-- projection and every snapshot go on (Marten's dead-letter policy). `projection` is the name of
-- the checkpoint that skipped it: the live projection, or a rebuild's shadow until its swap,
-- which replaces the live rows with the shadow's (a rebuild after the fix applies them again).
CREATE TABLE projection_set_aside (
  projection    text        NOT NULL,
  position      bigint      NOT NULL,
  event_id      uuid        NOT NULL,
  event_type    text        NOT NULL,
  error         text        NOT NULL,
  set_aside_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (projection, position)
);

COMMENT ON TABLE projection_set_aside IS 'events a projection skipped after failing to apply them twice; a rebuild applies them again';
