import type { Pool, PoolClient } from 'pg';
import { DATABASE_ROLES } from '@caravan/database';
import { EVENTS_TABLE } from './events';

/**
 * Who may do what to the store besides its owner, as migrations 0018 and 0020 ship it: nobody may
 * change a row; the ingest role inserts every column but `position`. (Functions: @caravan/database
 * is still loading when this module is, through observability.)
 */
const shippedGrants = (): ReadonlyArray<readonly [string, string]> => [
  [DATABASE_ROLES.ingest, 'SELECT'],
  [DATABASE_ROLES.projector, 'SELECT'],
  [DATABASE_ROLES.publisher, 'SELECT'],
  [DATABASE_ROLES.api, 'SELECT'],
  [DATABASE_ROLES.admin, 'SELECT'],
];
const INSERTED_COLUMNS = [
  'event_id',
  'type',
  'version',
  'occurred_at',
  'producer',
  'data',
  'content_hash',
  'source_topic',
  'source_partition',
  'source_offset',
  'ingested_at',
];
const shippedColumnGrants = (): ReadonlyArray<readonly [string, string, string]> =>
  INSERTED_COLUMNS.map((column) => [DATABASE_ROLES.ingest, 'INSERT', column] as const);

/** pg_trigger.tgtype bits: ROW 1, BEFORE 2, INSERT 4, DELETE 8, UPDATE 16, TRUNCATE 32. */
const SHIPPED_TRIGGERS: ReadonlyArray<{ name: string; type: number }> = [
  { name: 'events_no_update_or_delete', type: 1 | 2 | 8 | 16 },
  { name: 'events_no_truncate', type: 2 | 32 },
];
/** The body of events_append_only() as migration 0002 ships it. */
const GUARD_BODY =
  "BEGIN RAISE EXCEPTION 'the event store is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege'; END;";

type GuardRow = {
  owner: string;
  grants: Array<{ grantee: string; privilege: string }>;
  columnGrants: Array<{ grantee: string; privilege: string; column: string }>;
  triggers: Array<{ name: string; enabled: string; type: number; qualified: boolean; body: string | null }>;
  ddlGuard: string | null;
};

/**
 * What differs from the shipped guard of the append-only store, in words ([] when nothing does):
 * its owner; every privilege on it, or on one of its columns, beyond (or short of) what each role
 * was granted; the triggers that refuse UPDATE, DELETE and TRUNCATE (present, enabled, firing on
 * those statements without a condition, calling the shipped function); the event trigger that
 * keeps every role but the owner from planting functions. A superuser, or a member of the owner
 * role, can still do anything: docs/security.md says who should be one.
 */
export async function appendOnlyFindings(db: Pool | PoolClient): Promise<string[]> {
  const { rows } = await db.query<GuardRow>(
    `SELECT pg_get_userbyid(c.relowner) AS owner,
            (SELECT coalesce(json_agg(json_build_object(
                      'grantee', CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END,
                      'privilege', a.privilege_type)), '[]')
             FROM aclexplode(c.relacl) a WHERE a.grantee <> c.relowner) AS grants,
            (SELECT coalesce(json_agg(json_build_object(
                      'grantee', CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END,
                      'privilege', a.privilege_type, 'column', att.attname)), '[]')
             FROM pg_attribute att, aclexplode(att.attacl) a
             WHERE att.attrelid = c.oid AND att.attacl IS NOT NULL) AS "columnGrants",
            (SELECT coalesce(json_agg(json_build_object(
                      'name', t.tgname, 'enabled', t.tgenabled, 'type', t.tgtype, 'qualified', t.tgqual IS NOT NULL,
                      'body', btrim(regexp_replace(p.prosrc, '\\s+', ' ', 'g')))), '[]')
             FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
             WHERE t.tgrelid = c.oid AND NOT t.tgisinternal) AS triggers,
            (SELECT e.evtenabled FROM pg_event_trigger e WHERE e.evtname = 'caravan_ddl_guard') AS "ddlGuard"
     FROM pg_class c WHERE c.oid = to_regclass($1)`,
    [EVENTS_TABLE],
  );
  const row = rows[0];
  if (!row) return [`no ${EVENTS_TABLE} table`];
  const findings: string[] = [];
  if (row.owner !== DATABASE_ROLES.owner)
    findings.push(`${EVENTS_TABLE} is owned by ${row.owner}, not ${DATABASE_ROLES.owner}`);
  findings.push(...grantFindings(row));
  for (const shipped of SHIPPED_TRIGGERS) {
    const trigger = row.triggers.find((t) => t.name === shipped.name);
    // 'O' fires in normal sessions, 'A' always; 'D' is disabled, 'R' fires only for replication.
    if (!trigger) findings.push(`trigger ${shipped.name} is missing`);
    else if (trigger.enabled !== 'O' && trigger.enabled !== 'A') findings.push(`trigger ${shipped.name} is disabled`);
    else if (trigger.type !== shipped.type || trigger.qualified || trigger.body !== GUARD_BODY)
      findings.push(`trigger ${shipped.name} is not the shipped one (its events, condition or function changed)`);
  }
  if (row.ddlGuard === null) findings.push('event trigger caravan_ddl_guard is missing (a superuser installs it)');
  else if (row.ddlGuard === 'D') findings.push('event trigger caravan_ddl_guard is disabled');
  return findings;
}

function grantFindings(row: GuardRow): string[] {
  const findings: string[] = [];
  const shipped = shippedGrants();
  const granted = new Set(row.grants.map((g) => `${g.grantee} ${g.privilege}`));
  for (const { grantee, privilege } of row.grants)
    if (!shipped.some(([r, p]) => r === grantee && p === privilege))
      findings.push(`${grantee} holds ${privilege} on ${EVENTS_TABLE} (not shipped)`);
  for (const [role, privilege] of shipped)
    if (!granted.has(`${role} ${privilege}`)) findings.push(`${role} lacks ${privilege} on ${EVENTS_TABLE}`);
  const columns = shippedColumnGrants();
  const columnGranted = new Set(row.columnGrants.map((g) => `${g.grantee} ${g.privilege} ${g.column}`));
  for (const { grantee, privilege, column } of row.columnGrants)
    if (!columns.some(([r, p, c]) => r === grantee && p === privilege && c === column))
      findings.push(`${grantee} holds ${privilege} on ${EVENTS_TABLE}.${column} (not shipped)`);
  const missing = columns.filter(([r, p, c]) => !columnGranted.has(`${r} ${p} ${c}`));
  if (missing.length > 0)
    findings.push(
      `${DATABASE_ROLES.ingest} lacks INSERT on ${missing.map(([, , c]) => c).join(', ')} of ${EVENTS_TABLE}`,
    );
  return findings;
}
