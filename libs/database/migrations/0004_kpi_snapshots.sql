-- Targets per kpi, scope and year (ytd snapshots carry target and progressPct); editable by ops.
CREATE TABLE kpi_targets (
  kpi        text    NOT NULL,
  scope_key  text    NOT NULL,  -- '*' for the whole market, else 'dimension=value'
  year       integer NOT NULL,
  target     numeric NOT NULL CHECK (target > 0),
  PRIMARY KEY (kpi, scope_key, year)
);

-- The article's two targets, as shipped examples.
INSERT INTO kpi_targets (kpi, scope_key, year, target) VALUES
  ('arrivals', 'nationality=CN', 2024, 500000),
  ('revenue_usd', 'market=CN', 2024, 300000000);

-- Every snapshot published, in order: the history dashboards query.
CREATE TABLE kpi_snapshots (
  id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  key          text        NOT NULL,  -- kpi|window|scope, the Kafka record key
  kpi          text        NOT NULL,
  time_window  text        NOT NULL,
  scope_key    text        NOT NULL,
  snapshot     jsonb       NOT NULL,
  position     bigint      NOT NULL,
  computed_at  timestamptz NOT NULL
);
CREATE INDEX kpi_snapshots_key_idx ON kpi_snapshots (key, id DESC);

-- The latest snapshot per key.
CREATE TABLE kpi_latest (
  key          text        PRIMARY KEY,
  kpi          text        NOT NULL,
  time_window  text        NOT NULL,
  scope_key    text        NOT NULL,
  snapshot     jsonb       NOT NULL,
  position     bigint      NOT NULL,
  computed_at  timestamptz NOT NULL
);

-- The highest event position each projection has applied (never decreases): a snapshot reflects
-- the lowest of these over the projections it reads.
ALTER TABLE projection_checkpoints ADD COLUMN max_position bigint NOT NULL DEFAULT 0;
