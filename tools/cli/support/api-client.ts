import type { KpiSnapshot } from '@caravan/contract';
import { CliError } from './cli-error';

export type KpiFilter = { kpi?: string; window?: string; scope: Record<string, string>; wholeMarket?: boolean };

const PAGE = 500;

/** Every latest snapshot matching the filter, through the api app's `GET /v1/kpis` (paged). */
export async function fetchLatestKpis(apiUrl: string, filter: KpiFilter, max = 5_000): Promise<KpiSnapshot[]> {
  const items: KpiSnapshot[] = [];
  for (let offset = 0; offset < max; offset += PAGE) {
    const params = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
    if (filter.kpi) params.set('kpi', filter.kpi);
    if (filter.window) params.set('window', filter.window);
    if (filter.wholeMarket !== undefined) params.set('wholeMarket', String(filter.wholeMarket));
    for (const [dimension, value] of Object.entries(filter.scope)) params.set(`scope.${dimension}`, value);
    const url = `${apiUrl}/v1/kpis?${params}`;
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) }).catch((error: Error) => {
      throw new CliError(
        `the api is not reachable at ${apiUrl} ` +
          `(${error.cause instanceof Error ? error.cause.message : error.message}): start the ` +
          `pipeline with \`npx caravan up\` or pass --api-url`,
      );
    });
    const body = (await response.json().catch(() => ({}))) as {
      items?: KpiSnapshot[];
      total?: number;
      message?: string;
    };
    if (response.status !== 200) throw new CliError(`GET ${url}: ${response.status} ${body.message ?? ''}`.trim());
    items.push(...(body.items ?? []));
    if (items.length >= (body.total ?? 0) || (body.items ?? []).length < PAGE) break;
  }
  return items;
}
