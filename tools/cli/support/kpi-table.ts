import { type KpiSnapshot, USD_KPIS, WINDOWS } from '@caravan/contract';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

type RankEntry = { destination: string; bookings: number };
/** What a table row needs: a published snapshot, or expected figures. */
export type KpiFigures = {
  kpi: string;
  window: string;
  scope: Record<string, string>;
  value: KpiSnapshot['value'];
  previous: KpiSnapshot['previous'];
} & Partial<Pick<KpiSnapshot, 'changePct' | 'target' | 'progressPct' | 'asOf' | 'position' | 'computedAt'>>;

function formatValue(kpi: string, value: KpiSnapshot['value'] | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (Array.isArray(value))
    return (
      (value as RankEntry[])
        .slice(0, 3)
        .map((r) => `${r.destination} ${integer.format(r.bookings)}`)
        .join(', ') || '—'
    );
  return (USD_KPIS as readonly string[]).includes(kpi) ? usd.format(value) : integer.format(value);
}

const formatPct = (pct: number | null | undefined): string =>
  pct === null || pct === undefined ? '—' : `${pct > 0 ? '+' : ''}${pct.toFixed(1)}%`;
const scopeText = (scope: Record<string, string>): string =>
  Object.entries(scope)
    .map(([d, v]) => `${d}=${v}`)
    .join(',') || '*';

/** Snapshots in reading order: kpi, then the windows from 1d to ytd, then the whole market before scopes. */
export function sortSnapshots<T extends KpiFigures>(snapshots: T[]): T[] {
  const w = (s: KpiFigures) => (WINDOWS as readonly string[]).indexOf(s.window);
  return [...snapshots].sort(
    (a, b) => a.kpi.localeCompare(b.kpi) || w(a) - w(b) || scopeText(a.scope).localeCompare(scopeText(b.scope)),
  );
}

/** The KPI table the terminal shows: kpi, window, scope, value, previous, change, target progress. */
export function renderKpiTable(snapshots: KpiFigures[], title?: string): string {
  if (snapshots.length === 0)
    return 'no KPI snapshots yet (is the pipeline running and fed? try `npx caravan simulate`)';
  const header = ['kpi', 'window', 'scope', 'value', 'previous', 'change', 'target progress'];
  const rows = sortSnapshots(snapshots).map((s) => [
    s.kpi,
    s.window,
    scopeText(s.scope),
    formatValue(s.kpi, s.value),
    formatValue(s.kpi, s.previous),
    s.kpi === 'destination_rank' ? '' : formatPct(s.changePct),
    s.target ? `${formatPct(s.progressPct).replace('+', '')} of ${formatValue(s.kpi, s.target)}` : '',
  ]);
  const numeric = new Set([3, 4, 5]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const newest = snapshots.reduce((a, s) => ((s.position ?? 0) > (a.position ?? 0) ? s : a));
  return [
    title ?? `as of ${newest.asOf} (event-store position ${newest.position}, computed ${newest.computedAt})`,
    line(header),
    line(widths.map((w) => '─'.repeat(w))),
    ...rows.map(line),
  ].join('\n');
}
