-- Rebuilds and replays asked for by the api or the CLI and executed by the one writer of what
-- they change: the projector rebuilds projections, the ingestor replays rejections into the store.
-- A request is claimed under a session advisory lock on its id (caravan-request:<id>) held while
-- it runs: a request 'running' whose lock nobody holds was claimed by a process that died, and the
-- next executor takes it over (attempt counts the claims; only the latest claim may write).
CREATE TABLE admin_requests (
  id            uuid        PRIMARY KEY,
  kind          text        NOT NULL CHECK (kind IN ('rebuild', 'replay')),
  arguments     jsonb       NOT NULL,
  status        text        NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'running', 'done', 'failed')),
  progress      bigint      NOT NULL DEFAULT 0,
  result        jsonb,
  error         text,
  requested_by  text        NOT NULL,
  requested_at  timestamptz NOT NULL DEFAULT now(),
  claimed_by    text,
  claimed_at    timestamptz,
  attempt       integer     NOT NULL DEFAULT 0,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz
);

-- What an executor looks for: the open requests of its kind, oldest first.
CREATE INDEX admin_requests_open_idx ON admin_requests (kind, requested_at) WHERE status IN ('requested', 'running');

COMMENT ON TABLE admin_requests IS 'rebuild and replay requests: asked by the api and the CLI, executed by the projector and the ingestor';
