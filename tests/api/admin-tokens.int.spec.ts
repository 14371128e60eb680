import { readFileSync } from 'node:fs';
import type { INestApplication } from '@nestjs/common';
import { createApiApp } from '../../apps/api/src/api.app';
import { appEnv, type ChildApp, freePort, runCli, spawnApp, useChildApps, useTestDatabase, waitFor } from '../harness';

type Answer = { status: number; retryAfter: string | null; body: Record<string, unknown> };
type AuditRow = { token_id: string | null; action: string; target: unknown; outcome: number; detail: string | null };

/**
 * Named admin tokens with scopes, made with the CLI and kept in PostgreSQL as hashes; taken and
 * revoked by running apis within seconds; a rate limit per token; one audit row and one log line
 * per admin request.
 */
describe('admin tokens, scopes, rate limit and audit (real PostgreSQL)', () => {
  const db = useTestDatabase();
  const children = useChildApps('all');
  const apis: INestApplication[] = [];
  afterAll(async () => {
    await Promise.all(apis.map((a) => a.close()));
  });

  /** `caravan admin …` on the test database. */
  const admin = (args: string[]) => runCli(['admin', ...args], { DATABASE_URL: db().url });

  async function createToken(name: string, scopes: string): Promise<{ id: string; token: string }> {
    const run = await admin(['tokens', 'create', '--name', name, '--scopes', scopes]);
    expect([run.status, run.stderr]).toEqual([0, '']);
    const token = /^(cvn_tok_[0-9a-f]{8}_[A-Za-z0-9_-]{43})$/m.exec(run.stdout)?.[1];
    const id = /^created (tok_[0-9a-f]{8}) /m.exec(run.stdout)?.[1];
    if (!token || !id) throw new Error(`no token in ${run.stdout}`);
    expect(token.startsWith(`cvn_${id}_`)).toBe(true);
    return { id, token };
  }

  async function startApi(extra: Record<string, string> = {}): Promise<string> {
    const app = await createApiApp(appEnv(db().url, { LOG_LEVEL: 'fatal', ...extra }));
    await app.listen(0, '127.0.0.1');
    apis.push(app);
    return `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  }

  async function call(base: string, path: string, token?: string, method = 'GET'): Promise<Answer> {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      body: (await response.json()) as Record<string, unknown>,
    };
  }

  const auditRows = async (): Promise<AuditRow[]> =>
    (
      await db().pool.query<AuditRow>(
        'SELECT token_id, action, target, outcome, detail FROM admin_audit ORDER BY at, id',
      )
    ).rows;

  it('takes a token made with the CLI within its scopes: 403 without the scope, 401 once revoked', async () => {
    const base = await startApi();
    const reader = await createToken('dashboards', 'read');
    const answered = await waitFor(
      async () => {
        const a = await call(base, '/v1/admin/counters', reader.token);
        return a.status === 200 && a;
      },
      { timeoutMs: 15_000, what: 'the new token taken' },
    );
    expect(answered.body).toMatchObject({ topics: [] });
    const refused = await call(base, '/v1/admin/projections/bookings/rebuild', reader.token, 'POST');
    expect(refused).toMatchObject({
      status: 403,
      body: { statusCode: 403, error: 'FORBIDDEN', message: `token ${reader.id} lacks the scope rebuild` },
    });
    expect((await call(base, '/v1/admin/rejections/replay', reader.token, 'POST')).status).toBe(403);
    // A secret one character off is no token.
    const forged = `${reader.token.slice(0, -1)}${reader.token.endsWith('A') ? 'B' : 'A'}`;
    expect((await call(base, '/v1/admin/counters', forged)).status).toBe(401);

    const revoked = await admin(['tokens', 'revoke', 'dashboards']);
    expect([revoked.status, revoked.stdout]).toEqual([
      0,
      `revoked ${reader.id} (dashboards); every api refuses it within 5 s\n`,
    ]);
    await waitFor(async () => (await call(base, '/v1/admin/counters', reader.token)).status === 401, {
      timeoutMs: 15_000,
      what: 'the revoked token refused',
    });
    const again = await admin(['tokens', 'revoke', reader.id]);
    expect([again.status, again.stderr]).toEqual([2, expect.stringMatching(/was revoked already/)]);
  });

  it('lets an api started before a token was made take it', async () => {
    const first = await startApi();
    const second = await startApi();
    // Both have read the tokens (none yet) before the token exists.
    expect((await call(first, '/v1/admin/counters', 'cvn_tok_00000000_' + 'a'.repeat(43))).status).toBe(401);
    expect((await call(second, '/v1/admin/counters', 'cvn_tok_00000000_' + 'a'.repeat(43))).status).toBe(401);
    const ops = await createToken('ops-rebuilds', 'read,rebuild');
    for (const base of [first, second])
      await waitFor(
        async () =>
          (await call(base, '/v1/admin/rebuilds/00000000-0000-0000-0000-000000000000', ops.token)).status === 404,
        {
          timeoutMs: 15_000,
          what: 'the token taken by each api',
        },
      );
    const { rows } = await db().pool.query<{ last_used_at: Date | null }>(
      'SELECT last_used_at FROM admin_tokens WHERE id = $1',
      [ops.id],
    );
    await waitFor(
      async () =>
        (await db().pool.query('SELECT 1 FROM admin_tokens WHERE id = $1 AND last_used_at IS NOT NULL', [ops.id]))
          .rowCount === 1,
      { what: 'last_used_at written' },
    );
    expect(rows).toHaveLength(1);
  });

  it('limits admin requests per token and per address without one: 429 with Retry-After', async () => {
    const base = await startApi({ ADMIN_RATE_LIMIT_PER_MINUTE: '3' });
    const limited = await createToken('limited', 'read');
    const other = await createToken('other', 'read');
    await waitFor(async () => (await call(base, '/v1/admin/counters', limited.token)).status === 200, {
      timeoutMs: 15_000,
      what: 'the token taken',
    });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push(await call(base, '/v1/admin/counters', limited.token));
    // 3 a minute: the bucket held 3, the wait above took at least one of them.
    const tooMany = statuses.find((a) => a.status === 429);
    expect(tooMany).toMatchObject({ status: 429, body: { statusCode: 429, error: 'TOO_MANY_REQUESTS' } });
    expect(Number(tooMany?.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(tooMany?.retryAfter)).toBeLessThanOrEqual(20);
    // Another token has a bucket of its own.
    expect((await call(base, '/v1/admin/counters', other.token)).status).toBe(200);
    // Guesses without a valid token share the address's bucket.
    const guesses = [];
    for (let i = 0; i < 4; i++) guesses.push((await call(base, '/v1/admin/counters', `guess-${i}`)).status);
    expect(guesses).toEqual([401, 401, 401, 429]);
  });

  it('writes one audit row and one log line per admin request (allowed, 401, 403, 429), never the secret', async () => {
    const port = await freePort();
    const env = appEnv(db().url, { HTTP_PORT: String(port), LOG_LEVEL: 'info', ADMIN_RATE_LIMIT_PER_MINUTE: '2' });
    const api: ChildApp = spawnApp('api', env);
    children.push(api);
    const base = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${base}/health/live`)).ok, { timeoutMs: 60_000, what: 'the api up' });
    const auditor = await createToken('auditor', 'read');

    const allowed = await waitFor(
      async () => {
        const a = await call(base, '/v1/admin/rejections?code=schema&limit=5', auditor.token);
        return a.status === 200 && a;
      },
      { timeoutMs: 15_000, what: 'the token taken' },
    );
    expect(allowed.status).toBe(200);
    const forbidden = await call(base, '/v1/admin/projections/watermark/rebuild', auditor.token, 'POST');
    const limited = await call(base, '/v1/admin/counters', auditor.token);
    const anonymous = await call(base, '/v1/admin/counters');
    expect([forbidden.status, limited.status, anonymous.status]).toEqual([403, 429, 401]);

    const expected = [
      {
        token_id: auditor.id,
        action: 'GET /v1/admin/rejections',
        target: { query: { code: 'schema', limit: '5' } },
        outcome: 200,
        detail: null,
      },
      {
        token_id: auditor.id,
        action: 'POST /v1/admin/projections/:name/rebuild',
        target: { params: { name: 'watermark' } },
        outcome: 403,
        detail: `token ${auditor.id} lacks the scope rebuild`,
      },
      {
        token_id: auditor.id,
        action: 'GET /v1/admin/counters',
        target: {},
        outcome: 429,
        detail: expect.stringMatching(/^too many admin requests: retry in \d+ s$/),
      },
      {
        token_id: null,
        action: 'GET /v1/admin/counters',
        target: {},
        outcome: 401,
        detail: 'a valid admin bearer token is required',
      },
    ];
    // Rows are ordered by when the requests came in; the first 200 is the request above (before it,
    // the 401s and 429s of waiting for the token to be taken, and other tests' requests).
    const rows = await waitFor(
      async () => {
        const all = await auditRows();
        const since = all.slice(all.findIndex((r) => r.token_id === auditor.id && r.outcome === 200));
        return since.length >= expected.length && since;
      },
      { what: 'the audit rows' },
    );
    // Requests within one millisecond may be written in either order.
    const byOutcome = <T extends { outcome: number }>(list: T[]): T[] =>
      [...list].sort((a, b) => a.outcome - b.outcome);
    expect(byOutcome(rows)).toEqual(byOutcome(expected));

    const logged = await waitFor(
      () => {
        const lines = readFileSync(api.logFile, 'utf8')
          .split('\n')
          .filter((l) => l.includes('"admin request"'))
          .map((l) => JSON.parse(l) as { audit: Record<string, unknown> });
        return lines.length >= expected.length && lines;
      },
      { what: 'the log lines' },
    );
    expect(byOutcome(logged.slice(-expected.length).map((l) => l.audit as AuditRow))).toEqual(
      byOutcome(expected.map(({ token_id, ...r }) => ({ tokenId: token_id, at: expect.any(String), ...r }))),
    );

    // The secret is in neither the audit trail, nor the log, nor the tokens' table.
    const secret = auditor.token.slice(`cvn_${auditor.id}_`.length);
    expect(readFileSync(api.logFile, 'utf8')).not.toContain(secret);
    const dump = await db().pool.query<{ text: string }>(
      `SELECT (SELECT coalesce(json_agg(a), '[]')::text FROM admin_audit a) ||
              (SELECT coalesce(json_agg(t), '[]')::text FROM admin_tokens t) AS text`,
    );
    expect(dump.rows[0]?.text).not.toContain(secret);
    expect(dump.rows[0]?.text).not.toContain(Buffer.from(secret).toString('hex'));

    const audit = await admin(['audit', '--limit', '4', '--json']);
    expect(audit.status).toBe(0);
    expect((JSON.parse(audit.stdout) as Array<{ outcome: number }>).map((r) => r.outcome).sort()).toEqual([
      200, 401, 403, 429,
    ]);

    // A token pasted into a URL (a query parameter, a path): logged and audited redacted.
    await fetch(`${base}/v1/admin/counters?token=${auditor.token}`);
    await fetch(`${base}/v1/admin/${auditor.token}`);
    await waitFor(() => /token=\[redacted\]/.test(readFileSync(api.logFile, 'utf8')), { what: 'the request logged' });
    expect(readFileSync(api.logFile, 'utf8')).not.toContain(secret);
    const again = await db().pool.query<{ text: string }>(
      `SELECT coalesce(json_agg(a), '[]')::text AS text FROM admin_audit a`,
    );
    expect(again.rows[0]?.text).not.toContain(secret);
  });

  it('keeps admin_audit append-only: UPDATE, DELETE and TRUNCATE are refused', async () => {
    await db().pool.query(`INSERT INTO admin_audit (action, outcome) VALUES ('GET /v1/admin/counters', 401)`);
    for (const statement of ['UPDATE admin_audit SET outcome = 200', 'DELETE FROM admin_audit', 'TRUNCATE admin_audit'])
      await expect(db().pool.query(statement)).rejects.toThrow(/admin_audit is append-only/);
    expect((await auditRows()).length).toBeGreaterThan(0);
  });

  it('lists tokens with the CLI, as a table and as JSON, never with a secret or a hash', async () => {
    const table = await admin(['tokens', 'list']);
    expect(table.status).toBe(0);
    expect(table.stdout).toMatch(/^id\s+name\s+scopes\s+created\s+last used\s+revoked$/m);
    expect(table.stdout).toMatch(/^tok_[0-9a-f]{8} +dashboards +read +\S+Z +\S+ +\S+Z$/m);
    const json = await admin(['tokens', 'list', '--json']);
    const tokens = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
    expect(tokens.map((t) => t.name)).toEqual(['dashboards', 'ops-rebuilds', 'limited', 'other', 'auditor']);
    expect(Object.keys(tokens[0] ?? {}).sort()).toEqual([
      'createdAt',
      'id',
      'lastUsedAt',
      'name',
      'revokedAt',
      'scopes',
    ]);
    const refused = await admin(['tokens', 'create', '--name', 'auditor', '--scopes', 'read']);
    expect([refused.status, refused.stderr]).toEqual([2, 'caravan admin: a token named auditor exists\n']);
    const bad = await admin(['tokens', 'create', '--name', 'x', '--scopes', 'read,write']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/comma-separated list of read, replay, rebuild/);
  });
});
