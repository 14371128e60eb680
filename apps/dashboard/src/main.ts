import './styles.css';
import { follow, latestOfWindow, pipeline, series, type StreamState } from './api';
import { BarChart, type Labels, YearChart } from './charts';
import { fill, h, text } from './dom';
import { Format } from './format';
import { LANGUAGE_NAMES, LANGUAGES, type Language, LOCALES, TEXTS } from './i18n';
import {
  DIMENSIONS,
  type Dimension,
  type Granularity,
  type KpiSnapshot,
  onlyDimension,
  type RankEntry,
  type Scope,
  type SeriesPoint,
  scopeKey,
  snapshotKey,
  TILE_KPIS,
  tileScope,
  type TileKpi,
  WINDOWS,
  type Window,
} from './model';
import { preferredLanguage, readState, searchOf, type ViewState } from './state';

/** Charts are redrawn at most this often while snapshots stream in; tiles at once. */
const CHART_REFRESH_MS = 5_000;
const HEALTH_POLL_MS = 5_000;

let state: ViewState = readState(location.search, preferredLanguage(navigator.languages));
/** The latest snapshot per key of the current window, from /v1/kpis and then the stream. */
let store = new Map<string, KpiSnapshot>();
let streamState: StreamState = 'connecting';
let stopStream: (() => void) | undefined;
let loadedWindow: Window | undefined;

const t = () => TEXTS[state.lang];
const formats = new Map<Language, Format>();
/** The chosen language's formatters, built once (every streamed snapshot renders with them). */
const fmt = (): Format => {
  let f = formats.get(state.lang);
  if (!f) formats.set(state.lang, (f = new Format(LOCALES[state.lang], 'UTC')));
  return f;
};
const labels = (): Labels => ({
  table: t().charts.table,
  csv: t().charts.csv,
  name: t().charts.name,
  value: t().value,
  noData: t().noData,
});
const scope = (): Scope => (state.dimension && state.value ? { [state.dimension]: state.value } : {});
/** A local date (YYYY-MM-DD) of an API timestamp, as the pipeline's time zone wrote it. */
const localDay = (iso: string): string => `${iso.slice(0, 10)}T00:00:00Z`;

// ── Layout ────────────────────────────────────────────────────────────────────────────────────
const windowSelect = h('select', { id: 'window', onchange: () => navigate({ window: windowSelect.value as Window }) });
const dimensionSelect = h('select', {
  id: 'dimension',
  // A dimension chosen opens its most important value (the one its select then shows).
  onchange: () => {
    const dimension = (dimensionSelect.value || undefined) as Dimension | undefined;
    navigate({ dimension, value: dimension ? valuesOf(dimension)[0] : undefined });
  },
});
const valueSelect = h('select', {
  id: 'scope-value',
  onchange: () => navigate({ value: valueSelect.value || undefined }),
});
const languageSelect = h('select', {
  id: 'language',
  onchange: () => navigate({ lang: languageSelect.value as Language }),
});
const granularitySelect = h('select', {
  id: 'granularity',
  onchange: () => navigate({ granularity: granularitySelect.value as Granularity }),
});
const labelFor = (id: string) => h('label', { for: id });
const title = h('h1');
const subtitle = h('p', { class: 'subtitle' });
const freshness = h('p', { class: 'freshness', id: 'freshness', role: 'status', 'aria-live': 'polite' });
const healthStrip = h('section', { class: 'health', id: 'health', 'aria-labelledby': 'health-title' });
const tiles = h('section', { class: 'tiles', id: 'tiles' });
const arrivalsChart = new YearChart('arrivals-over-year', 'line');
const revenueChart = new YearChart('revenue-per-month', 'bars');
const nationalityChart = new BarChart('arrivals-by-nationality');
const destinationChart = new BarChart('destinations-by-bookings');
const platformChart = new BarChart('media-by-platform');
const campaignChart = new BarChart('media-by-campaign');

document.body.replaceChildren(
  h(
    'header',
    { class: 'top' },
    h('div', { class: 'brand' }, title, subtitle),
    h(
      'form',
      { class: 'controls', onsubmit: (e: Event) => e.preventDefault() },
      h('div', {}, labelFor('window'), windowSelect),
      h('div', {}, labelFor('dimension'), dimensionSelect),
      h('div', {}, labelFor('scope-value'), valueSelect),
      h('div', {}, labelFor('language'), languageSelect),
    ),
    freshness,
  ),
  h(
    'main',
    {},
    healthStrip,
    tiles,
    h(
      'section',
      { class: 'charts' },
      h(
        'div',
        { class: 'wide' },
        h('div', { class: 'chart-controls' }, labelFor('granularity'), granularitySelect),
        arrivalsChart.el,
      ),
      nationalityChart.el,
      destinationChart.el,
      platformChart.el,
      campaignChart.el,
      h('div', { class: 'wide' }, revenueChart.el),
    ),
  ),
);

// ── State and navigation ────────────────────────────────────────────────────────────────────────
function navigate(change: Partial<ViewState>): void {
  state = { ...state, ...change };
  history.pushState(null, '', searchOf(state));
  void show();
}

window.addEventListener('popstate', () => {
  state = readState(location.search, state.lang);
  void show();
});

async function show(): Promise<void> {
  document.documentElement.lang = state.lang === 'zh' ? 'zh-CN' : state.lang;
  renderControls();
  if (loadedWindow !== state.window) {
    loadedWindow = state.window;
    stopStream?.();
    store = new Map();
    renderTiles();
    const w = state.window;
    const latest = await latestOfWindow(w).catch(() => [] as KpiSnapshot[]);
    if (w !== state.window) return;
    for (const s of latest) apply(s);
    stopStream = follow(w, {
      snapshot: (s) => {
        if (s.window !== state.window) return;
        apply(s);
        scheduleRender();
      },
      state: (st) => {
        streamState = st;
        renderFreshness();
      },
      position: (id) => void (document.body.dataset.lastEventId = id),
    });
  }
  renderControls();
  renderTiles();
  // User Timing: from navigation to the first tiles with figures (devtools and the browser tests read it).
  if (store.size > 0 && performance.getEntriesByName('caravan:first-tiles').length === 0)
    performance.mark('caravan:first-tiles');
  renderFreshness();
  void renderHealth();
  await renderCharts();
}

/**
 * Streamed snapshots come in bursts (a reconnect's catch-up): tiles are drawn once per frame,
 * charts every few seconds.
 */
let renderPending = false;
function scheduleRender(): void {
  if (renderPending) return;
  renderPending = true;
  const draw = () => {
    renderPending = false;
    renderTiles();
    renderFreshness();
    scheduleCharts();
  };
  // A hidden tab gets no animation frames: it draws on a timer instead.
  if (document.hidden) setTimeout(draw, 250);
  else requestAnimationFrame(draw);
}

/** Keeps a key's snapshot with the highest position (the stream's first burst repeats what /v1/kpis gave). */
function apply(s: KpiSnapshot): void {
  const key = snapshotKey(s.kpi, s.window, s.scope);
  const current = store.get(key);
  if (!current || current.position <= s.position) store.set(key, s);
}

function option(value: string, label: string, selected: boolean): HTMLOptionElement {
  return h('option', { value, selected }, label);
}

function renderControls(): void {
  const tx = t();
  document.title = tx.title;
  text(title, tx.title);
  text(subtitle, tx.subtitle);
  const [wl, dl, vl, ll] = ['window', 'dimension', 'scope-value', 'language'].map(
    (id) => document.querySelector(`label[for="${id}"]`) as HTMLElement,
  );
  text(wl as HTMLElement, tx.window);
  text(dl as HTMLElement, tx.scope);
  text(vl as HTMLElement, tx.value);
  text(ll as HTMLElement, tx.language);
  text(document.querySelector('label[for="granularity"]') as HTMLElement, tx.charts.granularity);
  fill(windowSelect, ...WINDOWS.map((w) => option(w, tx.windows[w], w === state.window)));
  fill(
    dimensionSelect,
    option('', tx.wholeMarket, !state.dimension),
    ...DIMENSIONS.map((d) => option(d, tx.dimensions[d], d === state.dimension)),
  );
  const values = state.dimension ? valuesOf(state.dimension) : [];
  if (state.value && !values.includes(state.value)) values.unshift(state.value);
  fill(valueSelect, ...values.map((v) => option(v, v, v === state.value)));
  valueSelect.disabled = !state.dimension;
  fill(languageSelect, ...LANGUAGES.map((l) => option(l, LANGUAGE_NAMES[l], l === state.lang)));
  fill(
    granularitySelect,
    ...(['day', 'week', 'month'] as const).map((g) => option(g, tx.charts.granularities[g], g === state.granularity)),
  );
}

/** The values a dimension takes in the current window's snapshots, most important first. */
function valuesOf(dimension: Dimension): string[] {
  const totals = new Map<string, number>();
  for (const s of store.values()) {
    if (onlyDimension(s.scope) !== dimension || typeof s.value !== 'number') continue;
    const v = s.scope[dimension] as string;
    totals.set(v, Math.max(totals.get(v) ?? 0, s.value));
  }
  return [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([v]) => v);
}

// ── Tiles ─────────────────────────────────────────────────────────────────────────────────────
function renderTiles(): void {
  const tx = t();
  const f = fmt();
  const sc = scope();
  for (const kpi of TILE_KPIS) {
    let tile = tiles.querySelector<HTMLElement>(`[data-kpi="${kpi}"]`);
    if (!tile) {
      tile = h(
        'article',
        { class: 'tile', 'data-kpi': kpi, 'aria-labelledby': `tile-${kpi}` },
        h('h2', { id: `tile-${kpi}` }),
        h('p', { class: 'scope-note' }),
        h('p', { class: 'value' }),
        h('p', { class: 'previous' }),
        h('p', { class: 'change' }),
        h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': 0 }, h('div', { class: 'progress-fill' })),
        h('p', { class: 'progress-text' }),
        h('p', { class: 'dates' }),
      );
      tiles.append(tile);
    }
    const [name, scopeNote, value, previous, change, bar, progress, dates] = [...tile.children] as HTMLElement[];
    text(name as HTMLElement, tx.kpis[kpi]);
    const shownScope = tileScope(kpi, sc);
    const applicable = shownScope !== undefined;
    const s = shownScope ? store.get(snapshotKey(kpi, state.window, shownScope)) : undefined;
    tile.dataset.scope = shownScope ? scopeKey(shownScope) : '';
    // Shown for the same country in another dimension: the tile says which.
    const [otherDimension, otherValue] =
      shownScope && shownScope !== sc ? (Object.entries(shownScope)[0] as [Dimension, string]) : [];
    text(scopeNote as HTMLElement, otherDimension ? `${tx.dimensions[otherDimension]}: ${otherValue}` : '');
    const v = typeof s?.value === 'number' ? s.value : undefined;
    tile.dataset.value = v === undefined ? '' : String(v);
    tile.dataset.position = s ? String(s.position) : '';
    text(value as HTMLElement, v === undefined ? '—' : f.kpi(kpi, v));
    text(
      previous as HTMLElement,
      !applicable
        ? tx.notBrokenDown(tx.dimensions[state.dimension as Dimension])
        : !s
          ? tx.noData
          : typeof s.previous === 'number'
            ? `${tx.previousYear}: ${f.kpi(kpi, s.previous)}`
            : '',
    );
    const pct = s?.changePct;
    const changeEl = change as HTMLElement;
    text(changeEl, typeof pct === 'number' ? `${pct > 0 ? '▲' : pct < 0 ? '▼' : '■'} ${f.change(pct)}` : '');
    changeEl.className = `change ${typeof pct !== 'number' ? '' : pct > 0 ? 'up' : pct < 0 ? 'down' : 'flat'}`;
    if (typeof pct === 'number') changeEl.setAttribute('aria-label', `${tx.change}: ${f.change(pct)}`);
    const target = typeof s?.target === 'number' ? s.target : undefined;
    const progressPct = typeof s?.progressPct === 'number' ? s.progressPct : undefined;
    (bar as HTMLElement).hidden = target === undefined;
    (progress as HTMLElement).hidden = target === undefined;
    if (target !== undefined && v !== undefined && progressPct !== undefined) {
      (bar as HTMLElement).setAttribute('aria-valuenow', String(progressPct));
      (bar as HTMLElement).setAttribute('aria-valuemax', String(Math.max(100, progressPct)));
      (bar as HTMLElement).setAttribute('aria-label', `${tx.target}: ${f.share(progressPct)}`);
      ((bar as HTMLElement).firstElementChild as HTMLElement).style.width = `${Math.min(100, progressPct)}%`;
      text(progress as HTMLElement, `${f.kpi(kpi, v)} / ${f.kpi(kpi, target)} · ${f.share(progressPct)}`);
    }
    text(dates as HTMLElement, s ? `${f.day(localDay(s.from))} – ${f.day(localDay(s.asOf))}` : '');
  }
}

function renderFreshness(): void {
  const tx = t();
  const f = fmt();
  let newest: KpiSnapshot | undefined;
  for (const s of store.values()) if (!newest || s.position > newest.position) newest = s;
  document.body.dataset.position = newest ? String(newest.position) : '';
  document.body.dataset.stream = streamState;
  fill(
    freshness,
    h('span', { class: `status ${streamState}` }, tx.status[streamState]),
    newest ? h('span', {}, `${tx.asOf} ${f.day(localDay(newest.asOf))}`) : null,
    newest ? h('span', {}, `${tx.position} ${f.count(newest.position)}`) : null,
  );
}

// ── Charts ────────────────────────────────────────────────────────────────────────────────────
let chartTimer: ReturnType<typeof setTimeout> | undefined;
let chartsDrawnAt = 0;
function scheduleCharts(): void {
  if (chartTimer) return;
  chartTimer = setTimeout(
    () => {
      chartTimer = undefined;
      chartsDrawnAt = Date.now();
      void renderCharts();
    },
    Math.max(0, CHART_REFRESH_MS - (Date.now() - chartsDrawnAt)),
  );
}

function breakdown(kpi: TileKpi, dimension: Dimension, top: number): Array<{ label: string; value: number }> {
  const items: Array<{ label: string; value: number }> = [];
  for (const s of store.values()) {
    if (
      s.kpi === kpi &&
      s.window === state.window &&
      onlyDimension(s.scope) === dimension &&
      typeof s.value === 'number'
    )
      items.push({ label: s.scope[dimension] as string, value: s.value });
  }
  return items.sort((a, b) => b.value - a.value || a.label.localeCompare(b.label)).slice(0, top);
}

/** The year the window ends in (its asOf), else this year. */
function yearShown(): number {
  const s = store.get(snapshotKey('arrivals', state.window, {})) ?? [...store.values()][0];
  return s ? Number(s.asOf.slice(0, 4)) : new Date().getFullYear();
}

async function renderCharts(): Promise<void> {
  const tx = t();
  const f = fmt();
  const l = labels();
  const sc = scope();
  nationalityChart.update(tx.charts.byNationality, l, breakdown('arrivals', 'nationality', 10), (n) => f.count(n));
  const rankScope: Scope = state.dimension === 'market' && state.value ? { market: state.value } : {};
  const rank = store.get(snapshotKey('destination_rank', state.window, rankScope))?.value;
  destinationChart.update(
    tx.charts.destinations,
    l,
    Array.isArray(rank)
      ? (rank as RankEntry[]).slice(0, 10).map((r) => ({ label: r.destination, value: r.bookings }))
      : [],
    (n) => f.count(n),
  );
  platformChart.update(tx.charts.mediaByPlatform, l, breakdown('media_views', 'platform', 10), (n) => f.count(n));
  campaignChart.update(tx.charts.mediaByCampaign, l, breakdown('media_views', 'campaign', 10), (n) => f.count(n));

  const year = yearShown();
  const scopeFor = (kpi: TileKpi): Scope => tileScope(kpi, sc) ?? {};
  const yearOf = async (kpi: TileKpi, granularity: Granularity, y: number) =>
    series(kpi, `${y}-01-01`, `${y}-12-31`, granularity, scopeFor(kpi));
  const g = state.granularity;
  let fetched: SeriesPoint[][];
  try {
    fetched = await Promise.all([
      yearOf('arrivals', g, year),
      yearOf('arrivals', g, year - 1),
      yearOf('revenue_usd', 'month', year),
      yearOf('revenue_usd', 'month', year - 1),
    ]);
  } catch {
    // The api away: the stream's reconnection brings the next refresh.
    return;
  }
  const [arrivals = [], arrivalsBefore = [], revenue = [], revenueBefore = []] = fetched;
  const periodName = (p: string) => (g === 'month' ? p.slice(0, 7) : p);
  arrivalsChart.update(
    tx.charts.arrivalsOverYear(year),
    l,
    arrivals.map((p) => periodName(p.period)),
    [
      { name: tx.charts.thisYear(year), values: arrivals.map((p) => p.value) },
      { name: tx.charts.lastYear(year - 1), values: arrivalsBefore.map((p) => p.value) },
    ],
    (n) => f.count(n),
    tx.charts.period,
  );
  revenueChart.update(
    tx.charts.revenuePerMonth(year),
    l,
    revenue.map((p) => p.period.slice(0, 7)),
    [
      { name: tx.charts.thisYear(year), values: revenue.map((p) => p.value) },
      { name: tx.charts.lastYear(year - 1), values: revenueBefore.map((p) => p.value) },
    ],
    (n) => f.kpi('revenue_usd', n),
    tx.charts.period,
  );
}

window.addEventListener('resize', () => {
  arrivalsChart.resize();
  revenueChart.resize();
});

// ── Pipeline health ───────────────────────────────────────────────────────────────────────────
async function renderHealth(): Promise<void> {
  const tx = t().health;
  const f = fmt();
  const cell = (id: string, label: string, value: string, detail?: string) =>
    h(
      'div',
      { class: 'metric', id: `health-${id}`, title: detail },
      h('span', { class: 'metric-label' }, label),
      h('span', { class: 'metric-value' }, value),
    );
  try {
    const p = await pipeline();
    const projectionLag = Math.max(0, ...p.projections.map((x) => x.lagEvents));
    const codes = Object.entries(p.totals.rejectedByCode).sort((a, b) => b[1] - a[1]);
    fill(
      healthStrip,
      h('h2', { id: 'health-title' }, tx.title),
      cell('consumed', tx.consumed, f.count(p.totals.consumed)),
      cell('accepted', tx.accepted, f.count(p.totals.accepted)),
      cell('duplicates', tx.duplicates, f.count(p.totals.duplicate)),
      cell(
        'rejected',
        tx.rejected,
        f.count(p.totals.rejected),
        codes.map(([c, n]) => `${c}: ${f.count(n)}`).join('\n'),
      ),
      h(
        'ul',
        { class: 'codes', 'aria-label': tx.rejected },
        ...codes.map(([c, n]) => h('li', {}, `${c} ${f.count(n)}`)),
      ),
      cell('consumer-lag', tx.consumerLag, p.consumerLag === null ? tx.unknown : f.count(p.consumerLag)),
      cell('projection-lag', tx.projectionLag, tx.events(f.count(projectionLag))),
      cell(
        'snapshot-age',
        tx.snapshotAge,
        p.snapshotAgeSeconds === undefined ? tx.unknown : tx.seconds(f.count(Math.round(p.snapshotAgeSeconds))),
      ),
      cell('dlq-pending', tx.dlqPending, f.count(p.dlq.pending)),
    );
  } catch {
    if (!healthStrip.firstChild) fill(healthStrip, h('h2', { id: 'health-title' }, tx.title), h('p', {}, tx.unknown));
  }
}

void show();
setInterval(() => void renderHealth(), HEALTH_POLL_MS);
