-- The projector's hand-off to the publisher (issue 18): which local days of which daily table a
-- batch wrote, and the position of the last batch that wrote each, in the batch's own transaction.
-- The publisher keeps each day's sums and, on a run, reads again only the days written since the
-- position it last saw there, instead of every window's days of every table. One row per table
-- and day (at most a few hundred a year each), updated in place by every batch (no index on
-- position: the updates stay HOT).
CREATE TABLE aggregate_days_changed (
  table_name text   NOT NULL,
  day        date   NOT NULL,
  position   bigint NOT NULL,
  PRIMARY KEY (table_name, day)
);

COMMENT ON TABLE aggregate_days_changed IS
  'per daily table and local day: the position of the last projection batch that wrote it (the publisher reads the days written since its last run)';

ALTER TABLE aggregate_days_changed OWNER TO caravan_owner;
GRANT SELECT, INSERT, UPDATE ON aggregate_days_changed TO caravan_projector;
GRANT SELECT ON aggregate_days_changed TO caravan_publisher, caravan_api, caravan_admin;
