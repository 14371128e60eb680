import type { INestApplication } from '@nestjs/common';
import type { Browser, ConsoleMessage } from 'playwright-core';
import { createApiApp } from '../../apps/api/src/api.app';
import { appEnv, launchChromium, useTestDatabase } from '../harness';

/** /docs under its Content-Security-Policy in a real Chromium: Swagger UI runs, nothing is blocked. */
describe('the interactive API page (real Chromium)', () => {
  const db = useTestDatabase();
  let app: INestApplication;
  let base: string;
  let browser: Browser;
  beforeAll(async () => {
    app = await createApiApp(appEnv(db().url, { LOG_LEVEL: 'error' }));
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('draws every operation of the document, with no CSP violation, console error or failed request', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m: ConsoleMessage) => void (m.type() === 'error' && problems.push(`console: ${m.text()}`)));
    page.on('pageerror', (e) => problems.push(`page: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request: ${r.url()} ${r.failure()?.errorText}`));
    page.on('response', (r) => void (r.status() >= 400 && problems.push(`response: ${r.status()} ${r.url()}`)));
    // Every request the page makes goes to this origin.
    page.on(
      'request',
      (r) => void (!r.url().startsWith(base) && !r.url().startsWith('data:') && problems.push(`elsewhere: ${r.url()}`)),
    );
    await page.goto(`${base}/docs`);
    const openapi = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, object> };
    const operations = Object.values(openapi.paths).reduce((n, methods) => n + Object.keys(methods).length, 0);
    await page.waitForFunction((n) => document.querySelectorAll('.opblock').length === n, operations, {
      timeout: 60_000,
    });
    expect(await page.locator('.opblock').count()).toBe(operations);
    expect(problems).toEqual([]);
    await page.close();
  });
});
