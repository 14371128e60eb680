-- Named admin tokens with scopes, and the audit trail of every admin request (issue 17).
-- A token is shown once as cvn_<id>_<secret>; only the SHA-256 of its secret is kept (the secret
-- is 32 random bytes: no dictionary to slow down, so no slow hash is needed). The api reads the
-- tokens not revoked every few seconds, so a token created or revoked works or stops on every
-- instance without a restart.
CREATE TABLE admin_tokens (
  id            text        PRIMARY KEY CHECK (id ~ '^tok_[0-9a-f]{8}$'),
  name          text        NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' AND name !~ '^tok_'),
  scopes        text[]      NOT NULL CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['read', 'replay', 'rebuild']),
  secret_hash   bytea       NOT NULL CHECK (octet_length(secret_hash) = 32),
  created_at    timestamptz NOT NULL DEFAULT now(),
  revoked_at    timestamptz,
  -- Written at most once a minute per token and api instance: a hint for ops, not a log.
  last_used_at  timestamptz
);

COMMENT ON TABLE admin_tokens IS 'admin API tokens: id, name, scopes, sha256 of the secret (never the secret)';

-- Who (a token id, never the token; null when none was valid), what (method and route pattern),
-- on what (path parameters, query and body summarised: never record contents), the answer.
CREATE TABLE admin_audit (
  id        bigserial   PRIMARY KEY,
  at        timestamptz NOT NULL DEFAULT now(),
  token_id  text,
  action    text        NOT NULL,
  target    jsonb       NOT NULL DEFAULT '{}',
  outcome   integer     NOT NULL,
  detail    text
);

CREATE INDEX admin_audit_at_idx ON admin_audit (at);
CREATE INDEX admin_audit_token_idx ON admin_audit (token_id, at);

-- events_append_only (0002) names the event store in its message: this one names the table.
CREATE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER admin_audit_no_update_or_delete BEFORE UPDATE OR DELETE ON admin_audit
  FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER admin_audit_no_truncate BEFORE TRUNCATE ON admin_audit
  FOR EACH STATEMENT EXECUTE FUNCTION append_only();

COMMENT ON TABLE admin_audit IS 'append-only audit trail of the admin API: one row per request, whatever its outcome';

-- Owned by the owner (migration 0018); the api's admin side reads the tokens, notes their use and
-- appends to the audit trail, which nobody but the owner may change (and not even it, triggers on).
ALTER TABLE admin_tokens OWNER TO caravan_owner;
ALTER TABLE admin_audit OWNER TO caravan_owner;
ALTER FUNCTION append_only() OWNER TO caravan_owner;
REVOKE ALL ON admin_tokens, admin_audit FROM PUBLIC;
GRANT SELECT (id, name, scopes, secret_hash, revoked_at, last_used_at), UPDATE (last_used_at) ON admin_tokens
  TO caravan_admin;
GRANT SELECT, INSERT ON admin_audit TO caravan_admin;
GRANT USAGE ON SEQUENCE admin_audit_id_seq TO caravan_admin;
