import { mkdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import {
  type ChildApp,
  configOf,
  freePort,
  launchChromium,
  createPipelineTopics,
  pipelineEnv,
  runCli,
  spawnApp,
  stopApp,
  totals,
  useTestDatabase,
  waitFor,
  waitForConsumed,
} from '../harness';

/** `npm run screenshot` sets it to docs/dashboard.png; otherwise the picture goes to a temporary file. */
const SCREENSHOT = resolve(process.env.CARAVAN_SCREENSHOT ?? join(tmpdir(), `caravan-dashboard-${process.pid}.png`));

/**
 * The article's two years (caravan simulate --seed-year) through the whole pipeline as processes:
 * the CLI's comparison, the snapshots checked independently, then the dashboard over them in a
 * real Chromium (the figures of the article on its tiles, the time to the first tiles, and the
 * README's screenshot).
 */
describe('caravan simulate --seed-year through the real pipeline (processes, Kafka, PostgreSQL), then on the dashboard', () => {
  const db = useTestDatabase();
  const running: ChildApp[] = [];
  let env: Record<string, string>;
  afterAll(async () => {
    await Promise.all(running.splice(0).map((app) => stopApp(app, 'SIGKILL')));
  });

  const latest = async (key: string) =>
    (
      await db().pool.query<{ snapshot: Record<string, unknown> }>('SELECT snapshot FROM kpi_latest WHERE key = $1', [
        key,
      ])
    ).rows[0]?.snapshot;

  it("publishes exactly the article's figures in the ytd snapshots, and the counts add up", async () => {
    env = pipelineEnv(db().url, { SNAPSHOT_INTERVAL_MS: '500', LOG_LEVEL: 'warn' });
    const config = configOf(env);
    await createPipelineTopics(config);
    running.push(spawnApp('ingestor', env), spawnApp('projector', env), spawnApp('publisher', env));

    const run = await runCli(['simulate', '--seed-year', '--verify', '--timeout', '400', '--quiet'], env, 480_000);
    if (run.status !== 0)
      throw new Error(`simulate --seed-year --verify exited ${run.status}:\n${run.stdout}\n${run.stderr}`);
    // What the CLI prints for the user to compare, then its own comparison with what was published.
    expect(run.stdout).toMatch(/arrivals\s+ytd\s+nationality=CN\s+655,000\s+368,000\s+\+78\.0%\s+131\.0% of 500,000/);
    expect(run.stdout).toMatch(/all \d+ expected ytd snapshots are published with exactly these figures/);

    // Checked here independently of the CLI, against docs/contract's example snapshot.
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

    const said =
      /the pipeline should count: accepted (\d+) \+ duplicate (\d+) \+ rejected (\d+) .*= consumed (\d+)/.exec(
        run.stdout,
      );
    expect(said).not.toBeNull();
    const [accepted, duplicate, rejected, consumed] = (said as RegExpExecArray).slice(1).map(Number) as [
      number,
      number,
      number,
      number,
    ];
    await waitForConsumed(db().pool, config.ingest.groupId, consumed);
    expect((await totals(db().pool, config.ingest.groupId)).all).toMatchObject({
      consumed,
      accepted,
      duplicate,
      rejected,
    });
    const { rows } = await db().pool.query<{ n: string }>('SELECT count(*)::text AS n FROM events');
    expect(Number(rows[0]?.n)).toBe(accepted);
  }, 600_000);

  it("the dashboard shows the article's figures: Chinese arrivals against the target, the Chinese market's revenue; the first tiles measured; the screenshot", async () => {
    expect((await latest('arrivals|ytd|nationality=CN'))?.value).toBe(655_000);
    const base = `http://127.0.0.1:${await freePort()}`;
    const api = spawnApp('api', { ...env, HTTP_PORT: new URL(base).port });
    running.push(api);
    await waitFor(async () => (await fetch(`${base}/health/ready`).catch(() => undefined))?.ok === true, {
      what: 'the api ready',
      timeoutMs: 60_000,
    });
    // The same figure for scripts: `caravan kpis --json`, and the table for people.
    const json = await runCli(
      ['kpis', '--json', '--api-url', base, '--kpi', 'arrivals', '--window', 'ytd', '--scope', 'nationality=CN'],
      env,
    );
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([
      expect.objectContaining({
        kpi: 'arrivals',
        window: 'ytd',
        scope: { nationality: 'CN' },
        value: 655_000,
        target: 500_000,
        progressPct: 131,
      }),
    ]);
    const table = await runCli(
      ['kpis', '--api-url', base, '--kpi', 'arrivals', '--window', 'ytd', '--scope', 'nationality=CN'],
      env,
    );
    expect(table.stdout).toMatch(/arrivals\s+ytd\s+nationality=CN\s+655,000\s+368,000\s+\+78\.0%\s+131\.0% of 500,000/);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
      const problems: string[] = [];
      page.on('console', (m) => void (m.type() === 'error' && problems.push(`console: ${m.text()}`)));
      page.on('pageerror', (e) => problems.push(`page: ${e.message}`));
      await page.goto(`${base}/?window=ytd&scope.nationality=CN&lang=en`);
      const arrivals = page.locator('[data-kpi="arrivals"]');
      await waitFor(async () => (await arrivals.getAttribute('data-value')) === '655000', {
        what: '655,000 Chinese arrivals',
        timeoutMs: 60_000,
      });
      expect(await arrivals.locator('.progress-text').textContent()).toBe('655,000 / 500,000 · 131.0%');
      expect(await arrivals.locator('.change').textContent()).toBe('▲ +78.0%');
      // Revenue is broken down by source market: the tile shows market CN, against the $300M target.
      const revenue = page.locator('[data-kpi="revenue_usd"]');
      expect(await revenue.getAttribute('data-scope')).toBe('market=CN');
      expect(await revenue.getAttribute('data-value')).toBe(String((await latest('revenue_usd|ytd|market=CN'))?.value));
      expect(await revenue.locator('.progress-text').textContent()).toMatch(/ \/ \$300,000,000 · \d+\.\d%$/);
      await waitFor(
        async () => (await page.locator('#destinations-by-bookings .bar-label').first().textContent()) === 'almaty',
        { what: 'Almaty first by bookings', timeoutMs: 60_000 },
      );

      const [firstTiles, contentLoaded, assets] = await page.evaluate(() => [
        performance.getEntriesByName('caravan:first-tiles')[0]?.startTime ?? 0,
        (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined)
          ?.domContentLoadedEventEnd ?? 0,
        performance
          .getEntriesByType('resource')
          .map((e) => e as PerformanceResourceTiming)
          .filter((e) => e.name.includes('/assets/'))
          .reduce((n, e) => n + e.encodedBodySize, 0),
      ]);
      expect(firstTiles).toBeGreaterThan(0);
      // Once more in a warm browser: its cache holds the assets (immutable), the data is fetched again.
      await page.reload();
      await waitFor(async () => (await arrivals.getAttribute('data-value')) === '655000', {
        what: '655,000 after a reload',
        timeoutMs: 60_000,
      });
      const warm = await page.evaluate(() => performance.getEntriesByName('caravan:first-tiles')[0]?.startTime ?? 0);
      process.stderr.write(
        `[seed year on the dashboard] first tiles ${Math.round(firstTiles)} ms after navigation in ` +
          `a new browser (DOMContentLoaded ${Math.round(contentLoaded)} ms), ${Math.round(warm)} ms ` +
          `reloaded; JavaScript and CSS over the wire ${(assets / 1024).toFixed(1)} KiB\n`,
      );

      // The charts and the health strip drawn, then the picture.
      await waitFor(async () => (await page.locator('#arrivals-over-year .data-table tbody tr').count()) >= 52, {
        what: 'the year chart',
        timeoutMs: 60_000,
      });
      await waitFor(async () => (await page.locator('#health-consumed .metric-value').textContent()) !== '0', {
        what: 'the health strip',
        timeoutMs: 60_000,
      });
      await mkdir(dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, animations: 'disabled' });
      expect((await stat(SCREENSHOT)).size).toBeGreaterThan(20_000);
      process.stderr.write(`[seed year on the dashboard] screenshot: ${SCREENSHOT}\n`);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
