-- A rejection replayed (re-validated against the current schemas) is resolved once: accepted,
-- duplicate, or rejected again with its new code. Every attempt is kept.
ALTER TABLE rejections ADD COLUMN resolved_at timestamptz, ADD COLUMN resolution text;

CREATE TABLE rejection_replays (
  id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  rejection_id  bigint      NOT NULL REFERENCES rejections (id),
  replayed_at   timestamptz NOT NULL DEFAULT now(),
  outcome       text        NOT NULL CHECK (outcome IN ('accepted', 'duplicate', 'rejected')),
  code          text,
  detail        text,
  event_id      uuid
);
CREATE INDEX rejection_replays_rejection_idx ON rejection_replays (rejection_id);
