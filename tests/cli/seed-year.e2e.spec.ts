import {
  type ChildApp,
  configOf,
  createPipelineTopics,
  pipelineEnv,
  runCli,
  spawnApp,
  stopApp,
  totals,
  useTestDatabase,
  waitForConsumed,
} from '../harness';

describe('caravan simulate --seed-year through the real pipeline (processes, Kafka, PostgreSQL)', () => {
  const db = useTestDatabase();
  const running: ChildApp[] = [];
  afterAll(async () => {
    await Promise.all(running.splice(0).map((app) => stopApp(app, 'SIGKILL')));
  });

  const latest = async (key: string) =>
    (await db().pool.query<{ snapshot: Record<string, unknown> }>('SELECT snapshot FROM kpi_latest WHERE key = $1', [key])).rows[0]?.snapshot;

  it("publishes exactly the article's figures in the ytd snapshots, and the counts add up", async () => {
    const env = pipelineEnv(db().url, { SNAPSHOT_INTERVAL_MS: '500', LOG_LEVEL: 'warn' });
    const config = configOf(env);
    await createPipelineTopics(config);
    running.push(spawnApp('ingestor', env), spawnApp('projector', env), spawnApp('publisher', env));

    const run = await runCli(['simulate', '--seed-year', '--verify', '--timeout', '400', '--quiet'], env, 480_000);
    if (run.status !== 0) throw new Error(`simulate --seed-year --verify exited ${run.status}:\n${run.stdout}\n${run.stderr}`);
    // What the CLI prints for the user to compare, then its own comparison with what was published.
    expect(run.stdout).toMatch(/arrivals\s+ytd\s+nationality=CN\s+655,000\s+368,000\s+\+78\.0%\s+131\.0% of 500,000/);
    expect(run.stdout).toMatch(/all \d+ expected ytd snapshots are published with exactly these figures/);

    // Checked here independently of the CLI, against PRODUCT.md's example snapshot.
    expect(await latest('arrivals|ytd|nationality=CN')).toMatchObject({
      value: 655_000,
      previous: 368_000,
      changePct: 78,
      target: 500_000,
      progressPct: 131,
      from: '2024-01-01T00:00:00+06:00',
      asOf: expect.stringMatching(/^2024-12-31T\d\d:\d\d:\d\d\+05:00$/),
    });
    for (const key of ['destination_rank|ytd|market=CN', 'destination_rank|ytd|*']) {
      expect(((await latest(key))?.value as Array<{ destination: string }>)[0]?.destination).toBe('almaty');
    }
    expect((await latest('media_views|ytd|*'))?.value).toBeGreaterThan(60_000_000);

    const said = /the pipeline should count: accepted (\d+) \+ duplicate (\d+) \+ rejected (\d+) .*= consumed (\d+)/.exec(run.stdout);
    expect(said).not.toBeNull();
    const [accepted, duplicate, rejected, consumed] = (said as RegExpExecArray).slice(1).map(Number) as [number, number, number, number];
    await waitForConsumed(db().pool, config.ingest.groupId, consumed);
    expect((await totals(db().pool, config.ingest.groupId)).all).toMatchObject({ consumed, accepted, duplicate, rejected });
    const { rows } = await db().pool.query<{ n: string }>('SELECT count(*)::text AS n FROM events');
    expect(Number(rows[0]?.n)).toBe(accepted);
  }, 600_000);
});
