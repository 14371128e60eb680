-- Each running app registers itself and refreshes last_seen_at, so ops can see what runs where.
CREATE TABLE service_instances (
  instance_id   text        PRIMARY KEY,
  app           text        NOT NULL,
  host          text        NOT NULL,
  pid           integer     NOT NULL,
  started_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX service_instances_app_idx ON service_instances (app, last_seen_at DESC);
