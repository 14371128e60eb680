import { readFile } from 'node:fs/promises';
import type { INestApplication } from '@nestjs/common';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import { buildEvent, type KpiSnapshot } from '@caravan/contract';
import { KPI_FAMILIES } from '@caravan/publisher';
import { createApiApp } from '../../apps/api/src/api.app';
import {
  appEnv,
  launchChromium,
  projectAll,
  publishSnapshotsOnce,
  storeEvents,
  useTestDatabase,
  waitFor,
} from '../harness';

const TZ = 'Asia/Almaty';
/** The dimensions each KPI is broken down by, as the publisher computes them (docs/contract §3). */
const BREAKDOWNS: Record<string, readonly string[]> = Object.fromEntries(
  KPI_FAMILIES.flatMap((f) => Object.keys(f.measures).map((kpi) => [kpi, f.dimensions])),
);

/** The dashboard in a real Chromium, on the api's own endpoints over a known data set. */
describe('the dashboard (real Chromium, PostgreSQL and Kafka)', () => {
  const db = useTestDatabase();
  let app: INestApplication;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    const arrival = (day: string, travelers: number, nationality: string) =>
      buildEvent.arrivalRecorded(
        { nationality, port: 'ala-airport', purpose: 'tourism', travelers, destination: 'almaty' },
        { occurredAt: `${day}T12:00:00+05:00` },
      );
    await storeEvents(db().pool, [
      arrival('2023-06-01', 40, 'CN'),
      arrival('2024-06-01', 70, 'CN'),
      arrival('2024-06-02', 30, 'KZ'),
      arrival('2024-06-03', 5, 'RU'),
      buildEvent.bookingCreated(
        {
          bookingId: 'b1',
          market: 'CN',
          destination: 'almaty',
          channel: 'ota',
          travelers: 2,
          checkIn: '2024-07-01',
          nights: 3,
          price: { amount: '250.00', currency: 'USD' },
        },
        { occurredAt: '2024-06-02T10:00:00+05:00' },
      ),
      buildEvent.mediaViewsReported(
        { platform: 'weibo', campaign: 'silk-road', market: 'CN', views: 1200 },
        { occurredAt: '2024-06-03T09:00:00+05:00' },
      ),
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
    const body = (await (
      await fetch(`${base}/v1/kpis?kpi=${kpi}&window=${window}${scope || '&wholeMarket=true'}`)
    ).json()) as { items: KpiSnapshot[] };
    return body.items[0]?.value;
  };

  /**
   * The scope a tile shows for the page's scope (`&scope.d=v` or ''): that scope when the KPI is
   * broken down by it; a country (nationality or market) in the KPI's own country dimension; else
   * none (the tile says the KPI is not broken down by it).
   */
  const shownScope = (kpi: string, scope: string): string | undefined => {
    const [, dimension, value] = /scope\.(\w+)=(.+)$/.exec(scope) ?? [];
    const by = BREAKDOWNS[kpi] ?? [];
    if (!dimension || by.includes(dimension)) return scope;
    const other = { nationality: 'market', market: 'nationality' }[dimension];
    return other && by.includes(other) ? `&scope.${other}=${value}` : undefined;
  };

  it('serves the interactive API page under its CSP: every operation drawn, nothing blocked, nothing from elsewhere', async () => {
    const { page, problems } = await open('/docs');
    const openapi = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, object> };
    const operations = Object.values(openapi.paths).reduce((n, methods) => n + Object.keys(methods).length, 0);
    await page.waitForFunction((n) => document.querySelectorAll('.opblock').length === n, operations, {
      timeout: 60_000,
    });
    expect(await page.locator('.opblock').count()).toBe(operations);
    // A script the policy blocked is a console error; a request elsewhere would be one too (connect-src).
    expect(problems).toEqual([]);
    await page.close();
  });

  it.each([
    ['/?window=ytd', 'ytd', '', 'en'],
    ['/?window=30d&lang=ru', '30d', '', 'ru'],
    ['/?window=ytd&scope.nationality=CN&lang=zh', 'ytd', '&scope.nationality=CN', 'zh'],
    ['/?window=mtd&scope.market=CN&lang=en', 'mtd', '&scope.market=CN', 'en'],
    ['/?window=7d&scope.platform=weibo&lang=ru', '7d', '&scope.platform=weibo', 'ru'],
    ['/?window=1d&lang=zh', '1d', '', 'zh'],
  ])('%s: loads without an error and every tile shows what the API returns', async (path, window, scope, lang) => {
    const { page, problems } = await open(path);
    try {
      const first = Object.keys(BREAKDOWNS).find((kpi) => shownScope(kpi, scope) !== undefined) as string;
      await waitFor(async () => (await page.getAttribute(`[data-kpi="${first}"]`, 'data-value')) !== '', {
        what: `the ${first} tile filled`,
        timeoutMs: 60_000,
      });
      expect(await page.getAttribute('html', 'lang')).toMatch(new RegExp(`^${lang}`));
      for (const kpi of [
        'arrivals',
        'bookings',
        'bookings_cancelled',
        'revenue_usd',
        'net_revenue_usd',
        'media_views',
      ]) {
        const tile = page.locator(`[data-kpi="${kpi}"]`);
        const tileScope = shownScope(kpi, scope);
        const expected = tileScope === undefined ? undefined : await apiValue(kpi, window, tileScope);
        expect([kpi, await tile.getAttribute('data-value'), await tile.getAttribute('data-scope')]).toEqual([
          kpi,
          expected === undefined ? '' : String(expected),
          tileScope === undefined ? '' : tileScope === '' ? '*' : tileScope.replace('&scope.', ''),
        ]);
      }
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('charts have their bars and points, and each table holds the same numbers', async () => {
    const { page, problems } = await open('/?window=ytd&granularity=month');
    try {
      await waitFor(async () => (await page.locator('#arrivals-by-nationality .bars li').count()) === 3, {
        what: 'three nationalities drawn',
        timeoutMs: 60_000,
      });
      const bars = await page.locator('#arrivals-by-nationality .bar-label').allTextContents();
      expect(bars).toEqual(['CN', 'KZ', 'RU']);
      const cells = await page
        .locator('#arrivals-by-nationality .data-table tbody td')
        .evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-value'))));
      expect(cells).toEqual([70, 30, 5]);
      // The table alternative (uPlot's legend is a table too).
      await waitFor(async () => (await page.locator('#arrivals-over-year .data-table tbody tr').count()) === 12, {
        what: '12 months of arrivals',
        timeoutMs: 60_000,
      });
      expect(await page.locator('#arrivals-over-year canvas').count()).toBeGreaterThan(0);
      const june = await page
        .locator('#arrivals-over-year .data-table tbody tr')
        .nth(5)
        .locator('td')
        .evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-value'))));
      expect(june).toEqual([105, 40]);
      expect(await page.locator('#destinations-by-bookings .bar-label').allTextContents()).toEqual(['almaty']);
      const points = async () =>
        Object.fromEntries(
          await page
            .locator('figure.chart')
            .evaluateAll((figures) => figures.map((f) => [f.id, Number((f as HTMLElement).dataset.points)])),
        );
      expect(await points()).toEqual({
        'arrivals-over-year': 12,
        'arrivals-by-nationality': 3,
        'destinations-by-bookings': 1,
        'media-by-platform': 1,
        'media-by-campaign': 1,
        'revenue-per-month': 12,
      });

      // Hovering shows the exact values: June, this year and the year before, in the legend.
      const over = page.locator('#arrivals-over-year .u-over');
      const box = await over.boundingBox();
      if (!box) throw new Error('no plot area');
      await page.mouse.move(box.x + (box.width * 5) / 11, box.y + box.height / 2);
      await waitFor(
        async () =>
          (await page.locator('#arrivals-over-year .u-legend .u-value').allTextContents()).join('|') ===
          '2024-06|105|40',
        { what: "June's values under the cursor" },
      );

      // Per day: every day of 2024 (a leap year); per week: the ISO weeks the API returns.
      await page.selectOption('#granularity', 'day');
      await waitFor(async () => (await points())['arrivals-over-year'] === 366, {
        what: '366 days',
        timeoutMs: 60_000,
      });
      expect(await page.locator('#arrivals-over-year .data-table tbody tr').count()).toBe(366);
      const weeks = (
        (await (
          await fetch(`${base}/v1/kpis/series?kpi=arrivals&from=2024-01-01&to=2024-12-31&granularity=week`)
        ).json()) as { points: unknown[] }
      ).points.length;
      await page.selectOption('#granularity', 'week');
      await waitFor(async () => (await points())['arrivals-over-year'] === weeks, {
        what: `${weeks} weeks`,
        timeoutMs: 60_000,
      });
      expect(new URL(page.url()).searchParams.get('granularity')).toBeNull();
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('a CSV download holds the numbers of the table beside it', async () => {
    const { page, problems } = await open('/?window=ytd&granularity=month');
    try {
      for (const id of ['arrivals-by-nationality', 'arrivals-over-year']) {
        const rows = id === 'arrivals-by-nationality' ? 3 : 12;
        await waitFor(async () => (await page.locator(`#${id} .data-table tbody tr`).count()) === rows, {
          what: `${rows} rows in #${id}`,
          timeoutMs: 60_000,
        });
        const table = await page
          .locator(`#${id} .data-table`)
          .evaluate((t) =>
            [...t.querySelectorAll('tr')].map((tr) =>
              [...tr.children].map(
                (c, i) =>
                  (c.tagName === 'TD'
                    ? c.getAttribute('data-value')
                    : i === 0 || c.tagName === 'TH'
                      ? c.textContent
                      : '') ?? '',
              ),
            ),
          );
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.locator(`#${id} button.csv`).click(),
        ]);
        expect(download.suggestedFilename()).toBe(`${id}.csv`);
        const csv = (await readFile(await download.path(), 'utf8'))
          .trimEnd()
          .split('\n')
          .map((line) => line.split(','));
        expect(csv).toEqual(table);
      }
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('the URL opens the state it names, follows every choice, and back and forward restore it', async () => {
    const { page, problems } = await open('/?window=30d&scope.nationality=KZ&lang=en');
    try {
      const shows = async (window: string, dimension: string, value: string) => {
        await waitFor(
          async () =>
            (await page.inputValue('#window')) === window &&
            (await page.inputValue('#dimension')) === dimension &&
            (dimension === '' || (await page.inputValue('#scope-value')) === value) &&
            (await page.getAttribute('[data-kpi="arrivals"]', 'data-value')) ===
              String((await apiValue('arrivals', window, dimension ? `&scope.${dimension}=${value}` : '')) ?? ''),
          { what: `the page showing ${window} ${dimension}=${value}`, timeoutMs: 60_000 },
        );
      };
      await shows('30d', 'nationality', 'KZ');
      await page.selectOption('#window', 'ytd');
      await shows('ytd', 'nationality', 'KZ');
      expect(new URL(page.url()).search).toBe('?window=ytd&scope.nationality=KZ&lang=en');
      await page.selectOption('#scope-value', 'CN');
      await shows('ytd', 'nationality', 'CN');
      await page.selectOption('#dimension', '');
      await shows('ytd', '', '');
      expect(new URL(page.url()).search).toBe('?window=ytd&lang=en');
      // A dimension chosen opens its largest value.
      await page.selectOption('#dimension', 'nationality');
      await shows('ytd', 'nationality', 'CN');
      expect(new URL(page.url()).search).toBe('?window=ytd&scope.nationality=CN&lang=en');

      await page.goBack();
      await shows('ytd', '', '');
      await page.goBack();
      await shows('ytd', 'nationality', 'CN');
      await page.goBack();
      await shows('ytd', 'nationality', 'KZ');
      await page.goBack();
      await shows('30d', 'nationality', 'KZ');
      await page.goForward();
      await shows('ytd', 'nationality', 'KZ');
      expect(new URL(page.url()).search).toBe('?window=ytd&scope.nationality=KZ&lang=en');
      await page.selectOption('#language', 'ru');
      await waitFor(async () => (await page.getAttribute('html', 'lang')) === 'ru', { what: 'the page in Russian' });
      expect(new URL(page.url()).search).toBe('?window=ytd&scope.nationality=KZ&lang=ru');
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('the keyboard reaches every control, each with a visible focus', async () => {
    const { page, problems } = await open('/?window=ytd&scope.nationality=CN');
    try {
      await waitFor(async () => (await page.locator('#arrivals-over-year .data-table tbody tr').count()) > 0, {
        what: 'the charts drawn',
        timeoutMs: 60_000,
      });
      const controls = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>('a[href], button, select, input, summary, [tabindex]')]
          .filter((el) => !(el as HTMLButtonElement).disabled && el.getClientRects().length > 0)
          .map((el) => el.id || `${el.closest('[id]')?.id ?? ''} ${el.tagName.toLowerCase()}`),
      );
      expect(controls.length).toBeGreaterThanOrEqual(5 + 2 * 6);
      const reached: string[] = [];
      for (let i = 0; i < controls.length + 5; i++) {
        await page.keyboard.press('Tab');
        const focused = await page.evaluate(() => {
          const el = document.activeElement as HTMLElement | null;
          if (!el || el === document.body) return undefined;
          const style = getComputedStyle(el);
          return {
            name: el.id || `${el.closest('[id]')?.id ?? ''} ${el.tagName.toLowerCase()}`,
            outlined: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
          };
        });
        if (!focused) continue;
        reached.push(focused.name);
        expect([focused.name, focused.outlined]).toEqual([focused.name, true]);
      }
      expect([...new Set(reached)].sort()).toEqual([...new Set(controls)].sort());
      // A control works from the keyboard: the window select moved with the arrow keys.
      await page.focus('#window');
      await page.keyboard.press('ArrowUp');
      await waitFor(async () => new URL(page.url()).searchParams.get('window') === 'mtd', {
        what: 'mtd chosen from the keyboard',
      });
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it.each([
    [1280, 900],
    [768, 1024],
  ])('at %i px: no text below WCAG AA contrast, nothing wider than the screen', async (width, height) => {
    const { page, problems } = await open('/?window=ytd&scope.nationality=CN');
    await page.setViewportSize({ width, height });
    try {
      await waitFor(
        async () =>
          (await page.locator('#health-consumed').count()) === 1 &&
          (await page.locator('#arrivals-over-year .data-table tbody tr').count()) > 0,
        { what: 'the page drawn', timeoutMs: 60_000 },
      );
      // Open every table alternative, so its text is checked too.
      await page.locator('details').evaluateAll((ds) => ds.forEach((d) => ((d as HTMLDetailsElement).open = true)));
      const failures = await page.evaluate(() => {
        const rgb = (c: string): number[] => (c.match(/[\d.]+/g) ?? []).map(Number);
        const lum = ([r = 0, g = 0, b = 0]: number[]) => {
          const ch = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
          return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b);
        };
        const background = (el: Element | null): number[] => {
          for (; el; el = el.parentElement) {
            const c = rgb(getComputedStyle(el).backgroundColor);
            if (c.length === 3 || (c[3] ?? 0) >= 0.99) return c.slice(0, 3);
          }
          return [255, 255, 255];
        };
        const out: string[] = [];
        let checked = 0;
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          const el = n.parentElement;
          if (!el || !n.textContent?.trim() || el.getClientRects().length === 0) continue;
          const style = getComputedStyle(el);
          if (style.visibility === 'hidden') continue;
          const [a, b] = [lum(rgb(style.color)), lum(background(el))];
          const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
          const size = parseFloat(style.fontSize);
          const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
          checked++;
          if (ratio < (large ? 3 : 4.5)) out.push(`${n.textContent.trim().slice(0, 30)}: ${ratio.toFixed(2)}`);
        }
        return { out, checked };
      });
      expect(failures.out).toEqual([]);
      expect(failures.checked).toBeGreaterThan(100);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      for (const kpi of ['arrivals', 'media_views'])
        expect(await page.locator(`[data-kpi="${kpi}"]`).isVisible()).toBe(true);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
