import type { Pool, PoolClient } from 'pg';
import { DATABASE_ROLES } from '@caravan/database';
import { EVENTS_TABLE } from './events';

/**
 * Who may do what to the store besides its owner, as migration 0018 ships it: nobody may change a
 * row. (A function: @caravan/database is still loading when this module is, through observability.)
 */
const shippedGrants = (): ReadonlyArray<readonly [string, string]> => [
  [DATABASE_ROLES.ingest, 'INSERT'],
  [DATABASE_ROLES.ingest, 'SELECT'],
  [DATABASE_ROLES.projector, 'SELECT'],
  [DATABASE_ROLES.publisher, 'SELECT'],
  [DATABASE_ROLES.api, 'SELECT'],
  [DATABASE_ROLES.admin, 'SELECT'],
];
const SHIPPED_TRIGGERS = ['events_no_update_or_delete', 'events_no_truncate'];

type GuardRow = {
  owner: string;
  grants: Array<{ grantee: string; privilege: string }>;
  triggers: Array<{ name: string; enabled: string }>;
  guard: string | null;
};

/**
 * What differs from the shipped guard of the append-only store, in words ([] when nothing does):
 * its owner, every privilege on it beyond (or short of) what each role was granted, and the
 * triggers that refuse UPDATE, DELETE and TRUNCATE (present, enabled, raising). A superuser can
 * still do anything; docs/security.md says who should hold one.
 */
export async function appendOnlyFindings(db: Pool | PoolClient): Promise<string[]> {
  const { rows } = await db.query<GuardRow>(
    `SELECT pg_get_userbyid(c.relowner) AS owner,
            (SELECT coalesce(json_agg(json_build_object(
                      'grantee', CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END,
                      'privilege', a.privilege_type)), '[]')
             FROM aclexplode(c.relacl) a WHERE a.grantee <> c.relowner) AS grants,
            (SELECT coalesce(json_agg(json_build_object('name', t.tgname, 'enabled', t.tgenabled)), '[]')
             FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal) AS triggers,
            (SELECT p.prosrc FROM pg_proc p WHERE p.proname = 'events_append_only' LIMIT 1) AS guard
     FROM pg_class c WHERE c.oid = to_regclass($1)`,
    [EVENTS_TABLE],
  );
  const row = rows[0];
  if (!row) return [`no ${EVENTS_TABLE} table`];
  const findings: string[] = [];
  if (row.owner !== DATABASE_ROLES.owner)
    findings.push(`${EVENTS_TABLE} is owned by ${row.owner}, not ${DATABASE_ROLES.owner}`);
  const shipped = shippedGrants();
  const granted = new Set(row.grants.map((g) => `${g.grantee} ${g.privilege}`));
  for (const { grantee, privilege } of row.grants)
    if (!shipped.some(([r, p]) => r === grantee && p === privilege))
      findings.push(`${grantee} holds ${privilege} on ${EVENTS_TABLE} (not shipped)`);
  for (const [role, privilege] of shipped)
    if (!granted.has(`${role} ${privilege}`)) findings.push(`${role} lacks ${privilege} on ${EVENTS_TABLE}`);
  for (const name of SHIPPED_TRIGGERS) {
    const trigger = row.triggers.find((t) => t.name === name);
    // 'O' fires in normal sessions, 'A' always; 'D' is disabled, 'R' fires only for replication.
    if (!trigger) findings.push(`trigger ${name} is missing`);
    else if (trigger.enabled !== 'O' && trigger.enabled !== 'A') findings.push(`trigger ${name} is disabled`);
  }
  if (!row.guard || !/RAISE\s+EXCEPTION/i.test(row.guard))
    findings.push('events_append_only() no longer raises: the triggers refuse nothing');
  return findings;
}
