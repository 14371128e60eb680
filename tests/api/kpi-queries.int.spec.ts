import { get as httpGet, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { INestApplication } from '@nestjs/common';
import type { Pool } from 'pg';
import { API_POOL } from '@caravan/http-api';
import { buildEvent, type KpiSnapshot } from '@caravan/contract';
import { createApiApp } from '../../apps/api/src/api.app';
import { appEnv, projectAll, publishSnapshotsOnce, storeEvents, useTestDatabase } from '../harness';

const TZ = 'Asia/Almaty';

/** A GET with a chosen Accept-Encoding, its body as sent (fetch would inflate it). */
function rawGet(url: string, acceptEncoding: string): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    httpGet(url, { headers: { 'accept-encoding': acceptEncoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

describe('the api: KPI queries (real PostgreSQL and Kafka)', () => {
  const db = useTestDatabase();
  let app: INestApplication;
  let base: string;
  const get = async (path: string) => {
    const response = await fetch(`${base}${path}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    const arrivals = (day: string, travelers: number, nationality = 'CN') =>
      buildEvent.arrivalRecorded(
        { nationality, port: 'ala-airport', purpose: 'tourism', travelers, destination: 'almaty' },
        { occurredAt: `${day}T12:00:00+05:00` },
      );
    await storeEvents(db().pool, [
      arrivals('2024-06-01', 10),
      arrivals('2024-06-01', 5, 'KZ'),
      arrivals('2024-06-03', 7),
      arrivals('2024-06-10', 100),
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
    ]);
    await projectAll(db().pool, { timeZone: TZ });
    await publishSnapshotsOnce(db().pool, TZ);

    app = await createApiApp(appEnv(db().url, { LOG_LEVEL: 'error' }));
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('returns the latest snapshot filtered by kpi, window and scope', async () => {
    const { status, body } = await get('/v1/kpis?kpi=arrivals&window=ytd&scope.nationality=CN');
    expect(status).toBe(200);
    expect(body.total).toBe(1);
    expect((body.items as KpiSnapshot[])[0]).toMatchObject({
      kpi: 'arrivals',
      window: 'ytd',
      scope: { nationality: 'CN' },
      value: 117,
      previous: 0,
      changePct: null,
    });
    const market = await get('/v1/kpis?kpi=arrivals&window=ytd&wholeMarket=true');
    expect((market.body.items as KpiSnapshot[]).map((s) => s.value)).toEqual([122]);
  });

  it('lists the snapshots scoped by exactly one dimension, one per value', async () => {
    const { body } = await get('/v1/kpis?kpi=arrivals&window=ytd&dimension=nationality');
    expect((body.items as KpiSnapshot[]).map((s) => [s.scope, s.value])).toEqual([
      [{ nationality: 'CN' }, 117],
      [{ nationality: 'KZ' }, 5],
    ]);
    const ports = await get('/v1/kpis?kpi=arrivals&window=ytd&dimension=port');
    expect((ports.body.items as KpiSnapshot[]).every((s) => Object.keys(s.scope).join() === 'port')).toBe(true);
    expect((await get('/v1/kpis?dimension=galaxy')).status).toBe(400);
  });

  it('paginates with limit and offset over a stable order', async () => {
    const all = await get('/v1/kpis?window=ytd&limit=500');
    const total = all.body.total as number;
    expect(total).toBeGreaterThan(3);
    const first = await get('/v1/kpis?window=ytd&limit=2&offset=0');
    const second = await get('/v1/kpis?window=ytd&limit=2&offset=2');
    expect(first.body).toMatchObject({ total, limit: 2, offset: 0 });
    expect([...(first.body.items as unknown[]), ...(second.body.items as unknown[])]).toEqual(
      (all.body.items as unknown[]).slice(0, 4),
    );
  });

  it('gives a zero-filled daily, weekly and monthly series from the aggregates', async () => {
    const daily = await get('/v1/kpis/series?kpi=arrivals&from=2024-05-31&to=2024-06-04&scope.nationality=CN');
    expect(daily.status).toBe(200);
    expect(daily.body.points).toEqual([
      { period: '2024-05-31', value: 0 },
      { period: '2024-06-01', value: 10 },
      { period: '2024-06-02', value: 0 },
      { period: '2024-06-03', value: 7 },
      { period: '2024-06-04', value: 0 },
    ]);
    const weekly = await get('/v1/kpis/series?kpi=arrivals&from=2024-06-01&to=2024-06-12&granularity=week');
    expect(weekly.body.points).toEqual([
      { period: '2024-05-27', value: 15 },
      { period: '2024-06-03', value: 7 },
      { period: '2024-06-10', value: 100 },
    ]);
    const monthly = await get('/v1/kpis/series?kpi=revenue_usd&from=2024-05-01&to=2024-06-30&granularity=month');
    expect(monthly.body.points).toEqual([
      { period: '2024-05-01', value: 0 },
      { period: '2024-06-01', value: 250 },
    ]);
  });

  it.each([
    ['/v1/kpis?limit=0', /limit: /],
    ['/v1/kpis?window=2d', /window: /],
    ['/v1/kpis?kip=arrivals', /kip/],
    ['/v1/kpis?scope.galaxy=andromeda', /scope\.galaxy: unknown dimension/],
    ['/v1/kpis/series?kpi=arrivals&from=2024-13-01&to=2024-12-31', /from: /],
    ['/v1/kpis/series?kpi=arrivals&from=2024-06-02&to=2024-06-01', /to: must not be before from/],
    ['/v1/kpis/series?kpi=arrivals&from=2000-01-01&to=2024-01-01', /to: the range may span at most/],
    [
      '/v1/kpis/series?kpi=arrivals&from=2024-06-01&to=2024-06-02&scope.channel=ota',
      /scope\.channel: arrivals has no dimension channel/,
    ],
    ['/v1/kpis/series?from=2024-06-01&to=2024-06-02', /kpi: /],
  ])('answers %s with 400 naming the parameter', async (path, message) => {
    const { status, body } = await get(path);
    expect(status).toBe(400);
    expect(String(body.message)).toMatch(message);
    expect(JSON.stringify(body)).not.toMatch(/\\n\s+at |"stack"|\.ts:\d+/);
  });

  it('answers an unknown route with a JSON 404', async () => {
    const { status, body } = await get('/v1/nowhere');
    expect(status).toBe(404);
    expect(body).toMatchObject({ statusCode: 404, error: 'NOT_FOUND' });
  });

  it('serves its OpenAPI document and an interactive page that works offline', async () => {
    const doc = await get('/openapi.json');
    expect(doc.body).toMatchObject({ openapi: '3.1.0', info: { title: 'Caravan API' } });
    const page = await fetch(`${base}/docs`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toMatch(/swagger-ui-bundle\.js/);
    const asset = await fetch(`${base}/docs/assets/swagger-ui-bundle.js`);
    expect(asset.status).toBe(200);
    expect((await asset.text()).length).toBeGreaterThan(100_000);
  });

  it('serves the dashboard at / from its own origin only, under a Content-Security-Policy without inline scripts', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    const html = await page.text();
    // Every script and stylesheet is a file of this origin; no inline script.
    // Every reference but the empty data: icon (which spares the browser a request for /favicon.ico).
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)]
      .map((m) => m[1] as string)
      .filter((ref) => ref !== 'data:,');
    expect(refs.length).toBeGreaterThanOrEqual(2);
    for (const ref of refs) {
      expect(ref).toMatch(/^\/assets\//);
      const asset = await fetch(`${base}${ref}`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('cache-control')).toMatch(/immutable/);
      // gzip (compressed by the build) to a browser that accepts it, the same bytes once inflated;
      // as is to one that does not.
      const [plain, zipped] = await Promise.all([
        rawGet(`${base}${ref}`, 'identity'),
        rawGet(`${base}${ref}`, 'gzip, deflate, br'),
      ]);
      expect([plain.headers['content-encoding'], zipped.headers['content-encoding'], zipped.headers.vary]).toEqual([
        undefined,
        'gzip',
        'Accept-Encoding',
      ]);
      expect(zipped.headers['content-type']).toBe(plain.headers['content-type']);
      expect(zipped.headers['content-security-policy']).toBe(csp);
      expect(zipped.body.length).toBeLessThan(plain.body.length);
      expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
    }
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it("refuses a write through the API's pool", async () => {
    const pool = app.get<Pool>(API_POOL);
    await expect(
      pool.query(`INSERT INTO kpi_targets (kpi, scope_key, year, target) VALUES ('arrivals', '*', 2030, 1)`),
    ).rejects.toThrow(/read-only transaction/);
    await expect(pool.query('SELECT count(*) FROM kpi_latest')).resolves.toBeDefined();
  });
});
