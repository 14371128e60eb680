import type { INestApplication } from '@nestjs/common';
import { createApiApp } from '../../apps/api/src/api.app';
import { appEnv, useTestDatabase } from '../harness';

const TOKEN = 'security-test-token-0123456789';

describe('the api: size limits and CORS', () => {
  const db = useTestDatabase();
  const apps: INestApplication[] = [];
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
  });
  async function start(extra: Record<string, string> = {}): Promise<string> {
    const app = await createApiApp(appEnv(db().url, { ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'fatal', ...extra }));
    await app.listen(0, '127.0.0.1');
    apps.push(app);
    return `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  }

  it('refuses a body over HTTP_BODY_LIMIT_BYTES with a JSON 413, and a URL over HTTP_URL_LIMIT_BYTES with 414', async () => {
    const base = await start();
    const big = await fetch(`${base}/v1/admin/rejections/replay`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ids: Array.from({ length: 10_000 }, (_, i) => String(i)) }),
    });
    expect(big.status).toBe(413);
    const body = await big.text();
    expect(JSON.parse(body)).toMatchObject({ statusCode: 413 });
    expect(body).not.toMatch(/\n\s+at |node_modules/);
    const long = await fetch(`${base}/v1/kpis?kpi=${'a'.repeat(5_000)}`);
    expect(long.status).toBe(414);
  });

  it('sends no CORS headers by default, and allows only the configured origins', async () => {
    const preflight = (base: string, origin: string) =>
      fetch(`${base}/v1/kpis`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET' } });
    const closed = await start();
    expect((await preflight(closed, 'https://dash.example')).headers.get('access-control-allow-origin')).toBeNull();
    const open = await start({ CORS_ORIGINS: 'https://dash.example' });
    expect((await preflight(open, 'https://dash.example')).headers.get('access-control-allow-origin')).toBe(
      'https://dash.example',
    );
    expect((await preflight(open, 'https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });
});
