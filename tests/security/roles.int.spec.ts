import type { PoolClient } from 'pg';
import { buildEvent } from '@caravan/contract';
import { createPool, DATABASE_ROLES, type DatabaseRole, migrate, readMigrations } from '@caravan/database';
import { appendOnlyFindings } from '@caravan/event-store';
import { projectAll, storeEvents, useTestDatabase } from '../harness';

const { owner, ingest, projector, publisher, api, admin } = DATABASE_ROLES;
const RUNTIME: DatabaseRole[] = [ingest, projector, publisher, api, admin];

/**
 * The roles of migration 0018 on a real PostgreSQL, each tried as itself (SET ROLE inside a
 * transaction that is rolled back): what it must do works, what it must not is refused by
 * PostgreSQL's privileges, not by the application.
 */
describe('least-privilege database roles (migration 0018, real PostgreSQL)', () => {
  const db = useTestDatabase();

  beforeAll(async () => {
    await storeEvents(db().pool, [
      buildEvent.arrivalRecorded(
        { nationality: 'CN', port: 'ala-airport', purpose: 'tourism', travelers: 2, destination: 'almaty' },
        { occurredAt: '2024-06-01T12:00:00+05:00' },
      ),
    ]);
    // The projection tables, made as the projector makes them (here by a superuser: still the projector's).
    await projectAll(db().pool, { timeZone: 'Asia/Almaty' });
    await db().pool.query(
      `INSERT INTO rejections (consumer_group, source_topic, source_partition, source_offset, record_value, code, detail)
       VALUES ('g', 'tourism.arrivals', 0, 1, 'secret bytes', 'malformed_json', 'x')`,
    );
  });

  /** Runs `sql` as `role`; resolves with the SQLSTATE and message of a refusal, or 'ok'. */
  async function as(role: DatabaseRole, sql: string, setup?: (c: PoolClient) => Promise<void>): Promise<string> {
    const client = await db().pool.connect();
    try {
      await client.query('BEGIN');
      await setup?.(client);
      await client.query(`SET LOCAL ROLE ${role}`);
      await client.query(sql);
      return 'ok';
    } catch (error) {
      const e = error as { code?: string; message: string };
      return `${e.code}: ${e.message}`;
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  }

  it('creates the six roles, none of which can log in until a deployment says so', async () => {
    const { rows } = await db().pool.query<{ rolname: string; rolcanlogin: boolean; rolsuper: boolean }>(
      'SELECT rolname, rolcanlogin, rolsuper FROM pg_roles WHERE rolname = ANY($1) ORDER BY rolname',
      [Object.values(DATABASE_ROLES)],
    );
    expect(rows.map((r) => r.rolname)).toEqual(Object.values(DATABASE_ROLES).sort());
    expect(rows.every((r) => !r.rolsuper)).toBe(true);
  });

  it('the api role cannot write anything, nor read a rejected record', async () => {
    const { rows } = await db().pool.query<{ tablename: string }>(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`,
    );
    expect(rows.length).toBeGreaterThan(10);
    for (const { tablename } of rows) {
      expect([tablename, await as(api, `DELETE FROM ${tablename}`)]).toEqual([
        tablename,
        expect.stringMatching(/^42501: permission denied/),
      ]);
      expect(await as(api, `UPDATE ${tablename} SET ${await someColumn(tablename)} = NULL`)).toMatch(/^42501:/);
    }
    expect(
      await as(
        api,
        `INSERT INTO admin_requests (id, kind, arguments, requested_by) VALUES (gen_random_uuid(), 'rebuild', '{}', 'x')`,
      ),
    ).toMatch(/^42501:/);
    expect(await as(api, 'SELECT record_value FROM rejections')).toMatch(/^42501: permission denied/);
    expect(await as(api, 'SELECT detail FROM rejections')).toMatch(/^42501: permission denied/);
    // What the api does read.
    expect(await as(api, 'SELECT id, code, rejected_at FROM rejections')).toBe('ok');
    expect(await as(api, 'SELECT * FROM kpi_latest')).toBe('ok');
    expect(await as(api, 'SELECT max(position) FROM events')).toBe('ok');
    expect(await as(api, 'SELECT * FROM arrivals_daily')).toBe('ok');
  });

  it('the ingest role appends but cannot UPDATE, DELETE or TRUNCATE events, even with the triggers disabled', async () => {
    const disableTriggers = async (c: PoolClient) => void (await c.query('ALTER TABLE events DISABLE TRIGGER USER'));
    const event = `INSERT INTO events (event_id, type, version, occurred_at, producer, data, content_hash,
                                       source_topic, source_partition, source_offset)
                   VALUES (gen_random_uuid(), 'ArrivalRecorded', 1, now(), 'p', '{}', '\\x00', 't', 0, 99)`;
    expect(await as(ingest, event)).toBe('ok');
    // At a position of its choosing (below every checkpoint, or where the sequence will come): refused.
    expect(
      await as(
        ingest,
        event.replace('(event_id,', '(position, event_id,').replace('VALUES (', 'OVERRIDING SYSTEM VALUE VALUES (-5, '),
      ),
    ).toMatch(/^42501: permission denied/);
    for (const sql of ["UPDATE events SET producer = 'forged'", 'DELETE FROM events', 'TRUNCATE events']) {
      // The privilege refuses it before any trigger could: with or without them.
      expect(await as(ingest, sql)).toMatch(/^42501: permission denied for table events/);
      expect(await as(ingest, sql, disableTriggers)).toMatch(/^42501: permission denied for table events/);
    }
    // Its own bookkeeping it writes.
    expect(await as(ingest, "UPDATE rejections SET resolution = 'accepted' WHERE false")).toBe('ok');
    expect(await as(ingest, 'UPDATE ingest_offsets SET next_offset = 0 WHERE false')).toBe('ok');
    // Not the projections', nor the snapshots.
    expect(await as(ingest, 'DELETE FROM kpi_latest')).toMatch(/^42501:/);
    expect(await as(ingest, 'UPDATE projection_checkpoints SET position = 0')).toMatch(/^42501:/);
  });

  it('nobody but the owner can ALTER, DROP or disable the triggers of the store', async () => {
    for (const role of RUNTIME) {
      for (const sql of [
        'ALTER TABLE events ADD COLUMN forged text',
        'ALTER TABLE events DISABLE TRIGGER events_no_update_or_delete',
        'DROP TABLE events',
        'ALTER TABLE rejections DROP COLUMN record_value',
        'CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$',
      ])
        expect([role, sql, await as(role, sql)]).toEqual([
          role,
          sql,
          // Not its object (or, for roles that may create nothing, not even its schema to replace it in).
          expect.stringMatching(/^42501: (must be owner|permission denied for schema public)/),
        ]);
    }
    expect(await as(owner, 'ALTER TABLE events DISABLE TRIGGER events_no_update_or_delete')).toBe('ok');
  });

  it('the projector reads the store, owns and rebuilds its tables, and writes nothing else', async () => {
    expect(await as(projector, 'SELECT count(*) FROM events')).toBe('ok');
    expect(await as(projector, 'CREATE TABLE arrivals_daily_probe (x int); DROP TABLE arrivals_daily_probe')).toBe(
      'ok',
    );
    expect(await as(projector, 'ALTER TABLE arrivals_daily RENAME TO arrivals_daily_renamed')).toBe('ok');
    expect(await as(projector, 'DELETE FROM arrivals_daily')).toBe('ok');
    expect(await as(projector, 'INSERT INTO events (event_id) VALUES (gen_random_uuid())')).toMatch(/^42501:/);
    // Tables, not code: an overload of a built-in that the ingestor (or a migrating superuser) would run.
    const planted = `CREATE FUNCTION public.pg_advisory_xact_lock(integer) RETURNS void LANGUAGE sql AS 'SELECT NULL'`;
    expect(await as(projector, planted)).toMatch(/^42501: caravan_projector may create tables and indexes only/);
    expect(await as(projector, 'CREATE VIEW v AS SELECT 1')).toMatch(/^42501: .* not a view/);
    expect(await as(projector, 'DELETE FROM kpi_snapshots')).toMatch(/^42501:/);
    expect(await as(projector, 'UPDATE rejections SET code = code')).toMatch(/^42501:/);
    const { rows } = await db().pool.query<{ tableowner: string }>(
      `SELECT DISTINCT tableowner FROM pg_tables WHERE tablename IN ('arrivals_daily', 'bookings_daily', 'media_daily')`,
    );
    expect(rows.map((r) => r.tableowner)).toEqual([projector]);
  });

  it('the publisher writes snapshots, the admin side asks for requests, neither touches the store', async () => {
    expect(await as(publisher, 'DELETE FROM kpi_snapshots WHERE false')).toBe('ok');
    expect(await as(publisher, 'SELECT * FROM arrivals_daily')).toBe('ok');
    expect(await as(publisher, 'DELETE FROM arrivals_daily')).toMatch(/^42501:/);
    expect(await as(publisher, 'UPDATE events SET producer = producer')).toMatch(/^42501:/);
    expect(
      await as(
        admin,
        `INSERT INTO admin_requests (id, kind, arguments, requested_by) VALUES (gen_random_uuid(), 'rebuild', '{"projection":"bookings"}', 'x')`,
      ),
    ).toBe('ok');
    expect(await as(admin, 'SELECT record_value FROM rejections')).toBe('ok');
    expect(await as(admin, 'UPDATE rejections SET code = code')).toMatch(/^42501:/);
    // Tokens: the admin side reads them and notes their use; only the owner (the CLI) makes or revokes them.
    expect(await as(admin, 'SELECT id, scopes, secret_hash FROM admin_tokens WHERE revoked_at IS NULL')).toBe('ok');
    expect(await as(admin, "UPDATE admin_tokens SET last_used_at = now() WHERE id = 'tok_00000000'")).toBe('ok');
    expect(await as(admin, "UPDATE admin_tokens SET scopes = '{rebuild}'")).toMatch(/^42501:/);
    expect(await as(admin, "UPDATE admin_tokens SET revoked_at = NULL WHERE id = 'x'")).toMatch(/^42501:/);
    expect(
      await as(
        admin,
        "INSERT INTO admin_tokens (id, name, scopes, secret_hash) VALUES ('tok_00000001', 'x', '{read}', '\\x00')",
      ),
    ).toMatch(/^42501:/);
    expect(await as(api, 'SELECT secret_hash FROM admin_tokens')).toMatch(/^42501:/);
    // The audit trail: appended to, never changed (privileges, then the triggers even for its owner).
    expect(await as(admin, "INSERT INTO admin_audit (action, outcome) VALUES ('GET /v1/admin/counters', 200)")).toBe(
      'ok',
    );
    expect(await as(admin, 'DELETE FROM admin_audit')).toMatch(/^42501: permission denied/);
    const oneRow = async (c: PoolClient) =>
      void (await c.query("INSERT INTO admin_audit (action, outcome) VALUES ('GET /v1/admin/counters', 200)"));
    expect(await as(owner, 'DELETE FROM admin_audit', oneRow)).toMatch(/^42501: admin_audit is append-only/);
    expect(await as(owner, 'TRUNCATE admin_audit')).toMatch(/^42501: admin_audit is append-only/);
    expect(await as(admin, 'DELETE FROM events')).toMatch(/^42501:/);
  });

  it('lets any role through `migrate` when nothing is pending (the CLI run with an app role), and only then', async () => {
    const asAdmin = createPool({ url: db().url, poolSize: 1, applicationName: 'caravan-test-roles' });
    asAdmin.on('connect', (client) => void client.query(`SET ROLE ${admin}`));
    try {
      expect((await migrate(asAdmin)).applied).toEqual([]);
      const next = { version: readMigrations().length + 1, name: 'probe', sql: 'CREATE TABLE probe (x int)' };
      await expect(migrate(asAdmin, [...readMigrations(), { ...next, checksum: 'x' }])).rejects.toThrow(
        /permission denied for schema public/,
      );
    } finally {
      await asAdmin.end();
    }
  });

  it('reports the store as shipped, and names each difference once someone changes it', async () => {
    expect(await appendOnlyFindings(db().pool)).toEqual([]);
    const client = await db().pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`GRANT UPDATE ON events TO ${ingest}`);
      await client.query(`GRANT UPDATE (producer) ON events TO ${publisher}`);
      await client.query(`REVOKE INSERT (data) ON events FROM ${ingest}`);
      await client.query('ALTER TABLE events DISABLE TRIGGER events_no_truncate');
      // A trigger of the same name that no longer fires on DELETE.
      await client.query('DROP TRIGGER events_no_update_or_delete ON events');
      await client.query(`CREATE TRIGGER events_no_update_or_delete BEFORE UPDATE ON events
                          FOR EACH ROW EXECUTE FUNCTION events_append_only()`);
      await client.query('ALTER EVENT TRIGGER caravan_ddl_guard DISABLE');
      await client.query('ALTER TABLE events OWNER TO postgres');
      expect(await appendOnlyFindings(client)).toEqual([
        'events is owned by postgres, not caravan_owner',
        'caravan_ingest holds UPDATE on events (not shipped)',
        'caravan_publisher holds UPDATE on events.producer (not shipped)',
        'caravan_ingest lacks INSERT on data of events',
        'trigger events_no_update_or_delete is not the shipped one (its events, condition or function changed)',
        'trigger events_no_truncate is disabled',
        'event trigger caravan_ddl_guard is disabled',
      ]);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
    expect(await appendOnlyFindings(db().pool)).toEqual([]);
  });

  async function someColumn(table: string): Promise<string> {
    const { rows } = await db().pool.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_name = $1 AND is_identity = 'NO' ORDER BY ordinal_position DESC LIMIT 1`,
      [table],
    );
    return rows[0]?.column_name as string;
  }
});
