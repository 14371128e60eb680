-- The publisher's memory, kept where a restart (or the next leader) finds it: snapshots last
-- published while the projections were not level may show events beyond the position they carry;
-- they are published again, at a higher position, once the projections are level.
ALTER TABLE kpi_latest ADD COLUMN provisional boolean NOT NULL DEFAULT false;

-- The snapshot history is kept SNAPSHOT_RETENTION_DAYS (the leading publisher prunes it, never a
-- key's latest row): the pruning finds the old rows by time.
CREATE INDEX kpi_snapshots_computed_at_idx ON kpi_snapshots (computed_at);

-- The highest history id pruned: a stream resuming from an id below it has lost rows, and is told.
CREATE TABLE kpi_history_pruned (
  singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  up_to_id   bigint  NOT NULL
);
