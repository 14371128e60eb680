import type { Granularity, KpiSnapshot, PipelineSummary, Scope, SeriesPoint, TileKpi, Window } from './model';

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return (await res.json()) as T;
}

/** Every latest snapshot of a window (all scopes), page by page. */
export async function latestOfWindow(window: Window): Promise<KpiSnapshot[]> {
  const out: KpiSnapshot[] = [];
  for (let offset = 0; ; offset += 500) {
    const page = await getJson<{ items: KpiSnapshot[]; total: number }>(`/v1/kpis?window=${window}&limit=500&offset=${offset}`);
    out.push(...page.items);
    if (page.items.length === 0 || out.length >= page.total) return out;
  }
}

export async function series(kpi: TileKpi, from: string, to: string, granularity: Granularity, scope: Scope): Promise<SeriesPoint[]> {
  const q = new URLSearchParams({ kpi, from, to, granularity });
  for (const [d, v] of Object.entries(scope)) q.set(`scope.${d}`, v as string);
  return (await getJson<{ points: SeriesPoint[] }>(`/v1/kpis/series?${q.toString()}`)).points;
}

export const pipeline = (): Promise<PipelineSummary> => getJson<PipelineSummary>('/v1/pipeline');

export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'stale';

/**
 * The live stream of a window's snapshots. EventSource reconnects by itself and sends the last id
 * it saw (Last-Event-ID), so nothing is missed across an api restart; down longer than `staleMs`
 * reads as stale.
 */
export function follow(windowName: Window, onSnapshot: (s: KpiSnapshot) => void, onState: (state: StreamState) => void, staleMs = 30_000): () => void {
  const source = new EventSource(`/v1/kpis/stream?window=${windowName}`);
  let downSince: number | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  onState('connecting');
  source.addEventListener('open', () => {
    downSince = undefined;
    onState('live');
  });
  source.addEventListener('error', () => {
    downSince ??= Date.now();
    onState('reconnecting');
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (downSince !== undefined) onState('stale');
    }, staleMs);
  });
  source.addEventListener('snapshot', (e) => onSnapshot(JSON.parse((e as MessageEvent<string>).data) as KpiSnapshot));
  return () => {
    clearTimeout(timer);
    source.close();
  };
}
