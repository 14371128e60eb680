import type { INestApplication } from '@nestjs/common';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import { buildEvent, type KpiSnapshot } from '@caravan/contract';
import { createApiApp } from '../../apps/api/src/api.app';
import { appEnv, launchChromium, projectAll, publishSnapshotsOnce, storeEvents, useTestDatabase, waitFor } from '../harness';

const TZ = 'Asia/Almaty';

/** The dashboard in a real Chromium, on the api's own endpoints over a known data set. */
describe('the dashboard (real Chromium, PostgreSQL and Kafka)', () => {
  const db = useTestDatabase();
  let app: INestApplication;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    const arrival = (day: string, travelers: number, nationality: string) =>
      buildEvent.arrivalRecorded({ nationality, port: 'ala-airport', purpose: 'tourism', travelers, destination: 'almaty' }, { occurredAt: `${day}T12:00:00+05:00` });
    await storeEvents(db().pool, [
      arrival('2023-06-01', 40, 'CN'), arrival('2024-06-01', 70, 'CN'), arrival('2024-06-02', 30, 'KZ'), arrival('2024-06-03', 5, 'RU'),
      buildEvent.bookingCreated(
        { bookingId: 'b1', market: 'CN', destination: 'almaty', channel: 'ota', travelers: 2, checkIn: '2024-07-01', nights: 3, price: { amount: '250.00', currency: 'USD' } },
        { occurredAt: '2024-06-02T10:00:00+05:00' },
      ),
      buildEvent.mediaViewsReported({ platform: 'weibo', campaign: 'silk-road', market: 'CN', views: 1200 }, { occurredAt: '2024-06-03T09:00:00+05:00' }),
    ]);
    await projectAll(db().pool, { timeZone: TZ });
    await publishSnapshotsOnce(db().pool, TZ);
    app = await createApiApp(appEnv(db().url, { LOG_LEVEL: 'error' }));
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  /** A page that records console errors and failed requests. */
  async function open(path: string): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m: ConsoleMessage) => void (m.type() === 'error' && problems.push(`console: ${m.text()}`)));
    page.on('pageerror', (e) => problems.push(`page: ${e.message}`));
    page.on('requestfailed', (r) => {
      // The stream is cut when the page closes: not a failure of the page.
      if (!r.url().includes('/v1/kpis/stream')) problems.push(`request: ${r.url()} ${r.failure()?.errorText}`);
    });
    page.on('response', (r) => void (r.status() >= 400 && problems.push(`response: ${r.status()} ${r.url()}`)));
    await page.goto(`${base}${path}`);
    return { page, problems };
  }

  const apiValue = async (kpi: string, window: string, scope = '') => {
    const body = (await (await fetch(`${base}/v1/kpis?kpi=${kpi}&window=${window}${scope || '&wholeMarket=true'}`)).json()) as { items: KpiSnapshot[] };
    return body.items[0]?.value;
  };

  it.each([
    ['/?window=ytd', 'ytd', '', 'en'],
    ['/?window=30d&lang=ru', '30d', '', 'ru'],
    ['/?window=ytd&scope.nationality=CN&lang=zh', 'ytd', '&scope.nationality=CN', 'zh'],
  ])('%s: loads without an error and every tile shows what the API returns', async (path, window, scope, lang) => {
    const { page, problems } = await open(path);
    try {
      await waitFor(async () => (await page.getAttribute('[data-kpi="arrivals"]', 'data-value')) !== '', { what: 'the arrivals tile filled', timeoutMs: 60_000 });
      expect(await page.getAttribute('html', 'lang')).toMatch(new RegExp(`^${lang}`));
      for (const kpi of ['arrivals', 'bookings', 'bookings_cancelled', 'revenue_usd', 'net_revenue_usd', 'media_views']) {
        const shown = await page.getAttribute(`[data-kpi="${kpi}"]`, 'data-value');
        const expected = scope && kpi !== 'arrivals' ? undefined : await apiValue(kpi, window, scope);
        expect([kpi, shown]).toEqual([kpi, expected === undefined ? '' : String(expected)]);
      }
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('charts have their bars and points, and each table holds the same numbers', async () => {
    const { page, problems } = await open('/?window=ytd&granularity=month');
    try {
      await waitFor(async () => (await page.locator('#arrivals-by-nationality .bars li').count()) === 3, { what: 'three nationalities drawn', timeoutMs: 60_000 });
      const bars = await page.locator('#arrivals-by-nationality .bar-label').allTextContents();
      expect(bars).toEqual(['CN', 'KZ', 'RU']);
      const cells = await page.locator('#arrivals-by-nationality .data-table tbody td').evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-value'))));
      expect(cells).toEqual([70, 30, 5]);
      // The table alternative (uPlot's legend is a table too).
      await waitFor(async () => (await page.locator('#arrivals-over-year .data-table tbody tr').count()) === 12, { what: '12 months of arrivals', timeoutMs: 60_000 });
      expect(await page.locator('#arrivals-over-year canvas').count()).toBeGreaterThan(0);
      const june = await page.locator('#arrivals-over-year .data-table tbody tr').nth(5).locator('td').evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-value'))));
      expect(june).toEqual([105, 40]);
      expect(await page.locator('#destinations-by-bookings .bar-label').allTextContents()).toEqual(['almaty']);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
