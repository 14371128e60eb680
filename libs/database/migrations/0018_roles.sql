-- Least-privilege roles (docs/security.md). Group roles without LOGIN: a deployment grants each to
-- the login user of one app (GRANT caravan_ingest TO ingestor_user), or enables LOGIN on it.
--   caravan_owner      owns the store and the bookkeeping tables; migrations run as a member of it
--   caravan_ingest     appends events (never UPDATE, DELETE, TRUNCATE), writes its own bookkeeping
--   caravan_projector  reads the store, owns and writes the projection tables (their DDL, rebuilds)
--   caravan_publisher  reads projections, writes snapshots
--   caravan_api        reads KPIs and aggregates: no write at all, no rejected record's contents
--   caravan_admin      the api's admin side: what caravan_api reads, rejections whole, asks for requests
-- Roles belong to the cluster: created when absent (a DBA may create them first; then the migrating
-- user needs no CREATEROLE). Two databases migrating at once may race to create one: that is fine.
-- A migrating user that is no superuser must own the database (so its schema public, whose grants
-- change here) and hold caravan_owner and caravan_projector WITH ADMIN OPTION (deploy/kubernetes
-- has the SQL); one with CREATEROLE that creates the roles here gets that by the GRANT below.
DO $$
DECLARE
  r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['caravan_owner', 'caravan_ingest', 'caravan_projector', 'caravan_publisher',
                           'caravan_api', 'caravan_admin'] LOOP
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN
      BEGIN
        EXECUTE format('CREATE ROLE %I NOLOGIN', r);
      EXCEPTION
        WHEN duplicate_object OR unique_violation THEN NULL;
        WHEN insufficient_privilege THEN
          RAISE EXCEPTION 'role % does not exist and % may not create roles: create the roles of '
            'docs/security.md first, or migrate as a user with CREATEROLE', r, current_user;
      END;
    END IF;
  END LOOP;
  -- A migrating user that is no superuser hands objects to the owner and the projector as a member
  -- (made one here if it may grant them: it created them, or holds them WITH ADMIN OPTION).
  FOREACH r IN ARRAY ARRAY['caravan_owner', 'caravan_projector'] LOOP
    IF NOT pg_has_role(current_user, r, 'MEMBER') THEN
      BEGIN
        EXECUTE format('GRANT %I TO %I', r, current_user);
      EXCEPTION WHEN insufficient_privilege THEN
        RAISE EXCEPTION '% must be a member of % to migrate: GRANT % TO % (docs/security.md)',
          current_user, r, r, current_user;
      END;
    END IF;
  END LOOP;
END $$;

-- A new owner must be allowed to create in the schema (PostgreSQL checks it for all but superusers).
GRANT USAGE, CREATE ON SCHEMA public TO caravan_owner, caravan_projector;

-- The store and the bookkeeping tables: the owner's. Nobody else may ALTER, DROP or TRUNCATE them.
ALTER TABLE events OWNER TO caravan_owner;
ALTER TABLE ingest_offsets OWNER TO caravan_owner;
ALTER TABLE ingest_counters OWNER TO caravan_owner;
ALTER TABLE rejections OWNER TO caravan_owner;
ALTER TABLE currency_rates OWNER TO caravan_owner;
ALTER TABLE projection_checkpoints OWNER TO caravan_owner;
ALTER TABLE kpi_targets OWNER TO caravan_owner;
ALTER TABLE kpi_snapshots OWNER TO caravan_owner;
ALTER TABLE kpi_latest OWNER TO caravan_owner;
ALTER TABLE rejection_replays OWNER TO caravan_owner;
ALTER TABLE projection_set_aside OWNER TO caravan_owner;
ALTER TABLE ingest_offset_resets OWNER TO caravan_owner;
ALTER TABLE kpi_history_pruned OWNER TO caravan_owner;
ALTER TABLE admin_requests OWNER TO caravan_owner;
ALTER TABLE schema_migrations OWNER TO caravan_owner;
ALTER VIEW ingest_totals OWNER TO caravan_owner;
ALTER FUNCTION events_append_only() OWNER TO caravan_owner;
ALTER FUNCTION events_notify() OWNER TO caravan_owner;

-- Whatever else the schema holds is a projection's (created by the projector as it starts, or
-- by a rebuild): the projector's, which creates, renames and drops them.
DO $$
DECLARE
  t text;
BEGIN
  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner <> 'caravan_owner' LOOP
    EXECUTE format('ALTER TABLE %I OWNER TO caravan_projector', t);
    EXECUTE format('GRANT SELECT ON %I TO caravan_publisher, caravan_api, caravan_admin', t);
  END LOOP;
END $$;

-- Nothing by default: every privilege below is granted by name.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO caravan_ingest, caravan_projector, caravan_publisher, caravan_api, caravan_admin;

-- Every runtime role reads what readiness and the probes read.
GRANT SELECT ON schema_migrations, projection_checkpoints, kpi_latest, ingest_totals
  TO caravan_ingest, caravan_projector, caravan_publisher, caravan_api, caravan_admin;

-- The ingestor: appends (no UPDATE, DELETE or TRUNCATE on events, whatever the triggers say).
GRANT SELECT, INSERT ON events TO caravan_ingest;
GRANT SELECT, INSERT, UPDATE ON ingest_offsets, ingest_counters, rejections TO caravan_ingest;
GRANT SELECT, INSERT ON rejection_replays, ingest_offset_resets TO caravan_ingest;
GRANT SELECT ON currency_rates TO caravan_ingest;
GRANT SELECT, UPDATE ON admin_requests TO caravan_ingest;

-- The projector: reads the store, writes its checkpoints and what it sets aside, executes rebuilds.
GRANT SELECT ON events, currency_rates TO caravan_projector;
GRANT SELECT, INSERT, UPDATE, DELETE ON projection_checkpoints, projection_set_aside TO caravan_projector;
GRANT SELECT, UPDATE ON admin_requests TO caravan_projector;

-- The publisher: reads the projections (granted as the projector creates them, below) and the
-- store's head, writes the snapshots and prunes their history.
GRANT SELECT ON events, kpi_targets, currency_rates, projection_set_aside TO caravan_publisher;
GRANT SELECT, INSERT, UPDATE ON kpi_latest, kpi_history_pruned TO caravan_publisher;
GRANT SELECT, INSERT, DELETE ON kpi_snapshots TO caravan_publisher;

-- The api's queries: read only, and of the rejections not the records (their bytes and detail).
GRANT SELECT ON events, ingest_offsets, ingest_counters, currency_rates, kpi_targets, kpi_snapshots,
  rejection_replays, projection_set_aside, ingest_offset_resets, kpi_history_pruned TO caravan_api;
GRANT SELECT (id, consumer_group, source_topic, source_partition, source_offset, record_timestamp, code,
  event_id, rejected_at, dlq_published_at, dlq_failed_at, dlq_error, resolved_at, resolution) ON rejections
  TO caravan_api;

-- The api's admin side: reads everything, asks the projector and the ingestor for work.
GRANT SELECT ON ALL TABLES IN SCHEMA public TO caravan_admin;
GRANT INSERT ON admin_requests TO caravan_admin;

-- Projection tables the projector creates from now on: readable by those that read projections.
ALTER DEFAULT PRIVILEGES FOR ROLE caravan_projector IN SCHEMA public
  GRANT SELECT ON TABLES TO caravan_publisher, caravan_api, caravan_admin;
