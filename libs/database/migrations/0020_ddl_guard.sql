-- What other sessions could run is the owner's alone (docs/security.md). The projector may create
-- its tables in public, and public is on every session's search path: without this, it could also
-- create an overload of a built-in function or operator there (pg_advisory_xact_lock(integer),
-- say) that the ingestor, or a migrating superuser, would then run in its own name. An event
-- trigger refuses every object but tables and indexes to anyone but a superuser or the owner.
CREATE FUNCTION caravan_ddl_guard() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE
  command record;
BEGIN
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
     OR pg_has_role(current_user, 'caravan_owner', 'MEMBER') THEN
    RETURN;
  END IF;
  FOR command IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
    IF command.object_type NOT IN ('table', 'index', 'table column', 'table constraint', 'sequence') THEN
      RAISE EXCEPTION '% may create tables and indexes only, not a %: refused (docs/security.md)',
        current_user, command.object_type USING ERRCODE = 'insufficient_privilege';
    END IF;
  END LOOP;
END;
$$;
ALTER FUNCTION caravan_ddl_guard() OWNER TO caravan_owner;

-- Event triggers are a superuser's to create: a migrating user that is none leaves it to the DBA
-- (caravan status and caravan_event_store_append_only say it is missing).
DO $$
BEGIN
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    CREATE EVENT TRIGGER caravan_ddl_guard ON ddl_command_end EXECUTE FUNCTION caravan_ddl_guard();
  ELSE
    RAISE NOTICE 'caravan_ddl_guard not installed (% is no superuser): a superuser runs '
      'CREATE EVENT TRIGGER caravan_ddl_guard ON ddl_command_end EXECUTE FUNCTION caravan_ddl_guard()', current_user;
  END IF;
END $$;

-- The ingestor appends with the store's own positions: INSERT on every column but position, so an
-- INSERT … OVERRIDING SYSTEM VALUE (an event below every checkpoint, or one the sequence will reach) is refused.
REVOKE INSERT ON events FROM caravan_ingest;
GRANT INSERT (event_id, type, version, occurred_at, producer, data, content_hash, source_topic, source_partition,
  source_offset, ingested_at) ON events TO caravan_ingest;
