import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '@caravan/config';
import { openApiDocument } from './openapi';

describe('docs/openapi.json', () => {
  it('is up to date with the zod schemas (npm run contract)', () => {
    expect(readFileSync(join(projectRoot(), 'docs', 'openapi.json'), 'utf8')).toBe(
      `${JSON.stringify(openApiDocument(), null, 2)}\n`,
    );
  });

  it('documents every route with its parameters', () => {
    const doc = openApiDocument() as { paths: Record<string, { get: { parameters?: Array<{ name: string }> } }> };
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/health/live',
      '/health/ready',
      '/metrics',
      '/openapi.json',
      '/v1/admin/counters',
      '/v1/admin/projections/set-aside',
      '/v1/admin/projections/{name}/rebuild',
      '/v1/admin/rebuilds/{id}',
      '/v1/admin/rejections',
      '/v1/admin/rejections/replay',
      '/v1/admin/replays/{id}',
      '/v1/kpis',
      '/v1/kpis/series',
      '/v1/kpis/stream',
      '/v1/pipeline',
    ]);
    expect(doc.paths['/v1/kpis']?.get.parameters?.map((p) => p.name)).toEqual(
      expect.arrayContaining(['kpi', 'window', 'limit', 'offset', 'scope.nationality']),
    );
  });
});
