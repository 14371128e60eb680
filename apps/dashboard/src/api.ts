import type { Granularity, KpiSnapshot, PipelineSummary, Scope, SeriesPoint, TileKpi, Window } from './model';

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return (await res.json()) as T;
}

/** Every latest snapshot of a window (all scopes): the first page says how many, the others are fetched at once. */
export async function latestOfWindow(window: Window): Promise<KpiSnapshot[]> {
  const PAGE = 500;
  const page = (offset: number) =>
    getJson<{ items: KpiSnapshot[]; total: number }>(`/v1/kpis?window=${window}&limit=${PAGE}&offset=${offset}`);
  const first = await page(0);
  const offsets: number[] = [];
  for (let offset = PAGE; offset < first.total; offset += PAGE) offsets.push(offset);
  const rest = await Promise.all(offsets.map(page));
  return [first, ...rest].flatMap((p) => p.items);
}

export async function series(
  kpi: TileKpi,
  from: string,
  to: string,
  granularity: Granularity,
  scope: Scope,
): Promise<SeriesPoint[]> {
  const q = new URLSearchParams({ kpi, from, to, granularity });
  for (const [d, v] of Object.entries(scope)) q.set(`scope.${d}`, v as string);
  return (await getJson<{ points: SeriesPoint[] }>(`/v1/kpis/series?${q.toString()}`)).points;
}

export const pipeline = (): Promise<PipelineSummary> => getJson<PipelineSummary>('/v1/pipeline');

export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'stale';

/** The longest wait between two reopenings: a dashboard is back within seconds of its api. */
const MAX_BACKOFF_MS = 10_000;

/**
 * The live stream of a window's snapshots. EventSource reconnects by itself and sends the last id
 * it saw (Last-Event-ID), so nothing is missed across an api restart. A refusal (a 503 beyond the
 * api's stream limit, a proxy's 502) closes an EventSource for good: then a new one is opened after
 * a backoff, resuming from that id with `lastEventId` (an id older than the history the api keeps
 * brings the latest snapshot of every key). Down longer than `staleMs` reads as stale.
 */
export function follow(
  windowName: Window,
  handlers: {
    snapshot: (s: KpiSnapshot) => void;
    state: (state: StreamState) => void;
    position?: (lastEventId: string) => void;
  },
  staleMs = 30_000,
): () => void {
  let source: EventSource | undefined;
  let lastEventId: string | undefined;
  let downSince: number | undefined;
  let staleTimer: ReturnType<typeof setTimeout> | undefined;
  let reopenTimer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let backoffMs = 1_000;
  const seen = (e: MessageEvent<string>) => {
    if (!e.lastEventId) return;
    lastEventId = e.lastEventId;
    handlers.position?.(lastEventId);
  };
  const down = () => {
    if (downSince === undefined) {
      downSince = Date.now();
      staleTimer = setTimeout(() => {
        if (downSince !== undefined && !stopped) handlers.state('stale');
      }, staleMs);
    }
    handlers.state('reconnecting');
  };
  const open = () => {
    const q = new URLSearchParams({ window: windowName });
    if (lastEventId) q.set('lastEventId', lastEventId);
    const es = (source = new EventSource(`/v1/kpis/stream?${q.toString()}`));
    es.addEventListener('open', () => {
      downSince = undefined;
      clearTimeout(staleTimer);
      backoffMs = 1_000;
      handlers.state('live');
    });
    es.addEventListener('error', () => {
      if (stopped) return;
      down();
      if (es.readyState === EventSource.CLOSED) {
        clearTimeout(reopenTimer);
        // Jittered (half to all of the backoff), so dashboards refused together do not come back together.
        reopenTimer = setTimeout(open, backoffMs * (0.5 + Math.random() / 2));
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      }
    });
    es.addEventListener('snapshot', (e) => {
      const m = e as MessageEvent<string>;
      handlers.snapshot(JSON.parse(m.data) as KpiSnapshot);
      seen(m);
    });
    es.addEventListener('caught-up', (e) => seen(e as MessageEvent<string>));
    es.addEventListener('history-truncated', (e) => seen(e as MessageEvent<string>));
  };
  handlers.state('connecting');
  open();
  return () => {
    stopped = true;
    clearTimeout(staleTimer);
    clearTimeout(reopenTimer);
    source?.close();
  };
}
