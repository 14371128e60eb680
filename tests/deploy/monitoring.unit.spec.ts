import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { APP_NAMES, projectRoot } from '@caravan/config';
// The whole package: its modules register every metric of the apps (loops.ts too) in `registry`.
import { PIPELINE_METRIC_NAMES, registry } from '@caravan/observability';

const ROOT = projectRoot();
const PROMETHEUS = join(ROOT, 'deploy', 'prometheus');
const GRAFANA = join(ROOT, 'deploy', 'grafana');
const OPERATIONS = join(ROOT, 'docs', 'operations.md');

/** The alerts the monitoring issue asks for; alerts.yml may have more. */
const REQUIRED_ALERTS = [
  'CaravanConsumerLagGrowing',
  'CaravanConsumerNotRunning',
  'CaravanProjectionStalled',
  'CaravanProjectionSettingEventsAside',
  'CaravanSnapshotStale',
  'CaravanDeadLettersPending',
  'CaravanDeadLettersUnpublishable',
  'CaravanRejectionSpike',
  'CaravanAppRestarting',
  'CaravanAppDown',
  'CaravanNoLeadingPublisher',
  'CaravanIngestTransactionsFailing',
  'CaravanOffsetBeyondLogEnd',
  'CaravanListenDisconnected',
];

type AlertRule = {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
};
type RuleFile = { groups: Array<{ name: string; rules: Array<AlertRule & { record?: string }> }> };
type Target = { refId: string; expr: string; datasource?: { uid?: string } };
type Panel = {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  gridPos: { x: number; y: number; w: number; h: number };
};
type Dashboard = {
  uid: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query: string }> };
};

/**
 * Runs promtool (Debian's `prometheus` package) from the repository root; throws its output when it
 * fails, and says how to install it when it is missing: these checks fail, never skip.
 */
function promtool(...args: string[]): string {
  const run = spawnSync('promtool', args, { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  if (run.error) {
    const missing = (run.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(
      missing
        ? "promtool is not installed: install Debian's prometheus package (apt-get install -y " +
            '--no-install-recommends prometheus), which provides /usr/bin/promtool'
        : `promtool ${args.join(' ')}: ${run.error.message}`,
    );
  }
  const output = `${run.stdout}${run.stderr}`;
  if (run.status !== 0) throw new Error(`promtool ${args.join(' ')} failed (exit ${run.status}):\n${output}`);
  return output;
}

function withTempDir<T>(work: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'caravan-monitoring-'));
  try {
    return work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const PROMQL_KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'inf',
  'nan',
  'atan2',
  'start',
  'end',
]);

/**
 * The metric names an expression selects: identifiers that are not functions or aggregations (not
 * followed by `(`), keywords, label names (in matchers, `by`/`without`/`on`/`ignoring`/`group_*`
 * lists), strings, durations or numbers.
 */
function metricNames(expr: string): string[] {
  const s = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\boffset\s+-?[0-9a-zA-Z]+/g, ' ')
    .replace(/@\s*(?:start|end)\s*\(\s*\)|@\s*[0-9.]+/g, ' ');
  const names = new Set<string>();
  for (const m of s.matchAll(/(?<![\w:.])[a-zA-Z_:][\w:]*(?![\w:])/g)) {
    const rest = s.slice((m.index ?? 0) + m[0].length);
    if (/^\s*\(/.test(rest) || PROMQL_KEYWORDS.has(m[0].toLowerCase())) continue;
    names.add(m[0]);
  }
  return [...names];
}

/** Grafana's own variables ($__rate_interval, ${__interval}, …) as the duration Prometheus would get. */
function withoutGrafanaVariables(expr: string): string {
  return expr.replace(/\$\{__\w+\}|\$__\w+/g, '5m');
}

/** Every metric name the apps export: the registry's, histograms with their series, and Prometheus' own `up`. */
async function exportedMetricNames(): Promise<Set<string>> {
  const names = new Set(['up']);
  for (const metric of await registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
    if (String(metric.type) === 'summary')
      for (const suffix of ['_sum', '_count']) names.add(`${metric.name}${suffix}`);
  }
  return names;
}

/** GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = (heading[1] as string)
      .replace(/`/g, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

const AGGREGATIONS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
  'absent',
]);

/**
 * Each use of a pipeline-wide metric (PIPELINE_METRIC_NAMES: read from PostgreSQL and Kafka by
 * every api replica at scrape time, the same values from each) in an expression, with the
 * innermost aggregation around it (`absent` counts as one).
 */
function pipelineWideUses(expr: string): Array<{ metric: string; aggregation: string | undefined }> {
  // Strings blanked (same length): a regex's parentheses are not the expression's.
  const s = expr.replace(/"(?:[^"\\]|\\.)*"/g, (m) => `"${' '.repeat(m.length - 2)}"`);
  const uses: Array<{ metric: string; aggregation: string | undefined }> = [];
  for (const m of s.matchAll(new RegExp(`(?<![\\w:])(${PIPELINE_METRIC_NAMES.join('|')})(?![\\w:])`, 'g'))) {
    uses.push({ metric: m[1] as string, aggregation: innermostAggregation(s, m.index ?? 0) });
  }
  return uses;
}

function innermostAggregation(s: string, pos: number): string | undefined {
  const back = (j: number) => {
    while (j >= 0 && /\s/.test(s[j] as string)) j--;
    return j;
  };
  for (let i = pos - 1, depth = 0; i >= 0; i--) {
    if (s[i] === ')') depth++;
    else if (s[i] === '(' && depth > 0) depth--;
    else if (s[i] === '(') {
      // An enclosing group: opened by `name(`, by `agg by|without (labels) (`, or by nothing.
      let j = back(i - 1);
      if (s[j] === ')') {
        for (let d = 0; j >= 0; j--) {
          if (s[j] === ')') d++;
          else if (s[j] === '(' && --d === 0) break;
        }
        j = back(j - 1);
        const modifier = /(?:by|without)$/.exec(s.slice(0, j + 1));
        if (modifier) j = back(j - modifier[0].length);
      }
      const name = /[a-zA-Z_]\w*$/.exec(s.slice(0, j + 1))?.[0];
      if (name && AGGREGATIONS.has(name)) return name;
    }
  }
  return undefined;
}

const alertFile = (): RuleFile => parse(readFileSync(join(PROMETHEUS, 'alerts.yml'), 'utf8')) as RuleFile;
const alerts = (): AlertRule[] =>
  alertFile()
    .groups.flatMap((g) => g.rules)
    .filter((r) => r.alert !== undefined);
const dashboard = (): Dashboard =>
  JSON.parse(readFileSync(join(GRAFANA, 'dashboards', 'caravan.json'), 'utf8')) as Dashboard;
const dashboardTargets = (): Array<{ panel: Panel; target: Target }> =>
  dashboard().panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel, target })));

describe('monitoring: Prometheus rules and config (promtool)', () => {
  it('alerts.yml passes promtool check rules', () => {
    expect(promtool('check', 'rules', 'deploy/prometheus/alerts.yml')).toMatch(/SUCCESS/);
  });

  it('alerts.yml passes its unit tests (promtool test rules deploy/prometheus/alerts.test.yml)', () => {
    expect(promtool('test', 'rules', 'deploy/prometheus/alerts.test.yml')).toMatch(/SUCCESS/);
  });

  it('prometheus.yml passes promtool check config (its rule file included)', () => {
    expect(promtool('check', 'config', 'deploy/prometheus/prometheus.yml')).toMatch(/is valid prometheus config file/);
  });

  it('the check bites: a rule file with a broken expression is refused', () => {
    withTempDir((dir) => {
      const file = join(dir, 'broken.yml');
      writeFileSync(
        file,
        stringify({
          groups: [{ name: 'broken', rules: [{ alert: 'Broken', expr: 'sum(rate(caravan_loop_errors_total[5m])' }] }],
        }),
      );
      expect(() => promtool('check', 'rules', file)).toThrow(/failed/);
    });
  });

  it('prometheus.yml scrapes the four apps on port 8080, each target with its `app` label, and loads alerts.yml', () => {
    type StaticConfig = { targets: string[]; labels?: Record<string, string> };
    const config = parse(readFileSync(join(PROMETHEUS, 'prometheus.yml'), 'utf8')) as {
      global: { scrape_interval: string };
      rule_files: string[];
      scrape_configs: Array<{ job_name: string; static_configs: StaticConfig[] }>;
    };
    expect(config.global.scrape_interval).toBe('15s');
    expect(config.rule_files).toEqual(['alerts.yml']);
    const job = config.scrape_configs.find((c) => c.job_name === 'caravan');
    const targets = (job?.static_configs ?? []).flatMap((s) => s.targets.map((t) => [t, s.labels?.app]));
    expect(targets).toEqual(expect.arrayContaining(APP_NAMES.map((app) => [`${app}:8080`, app])));
    expect(targets).toHaveLength(APP_NAMES.length);
  });

  it("docs/operations.md's Kubernetes scrape config is valid and gives each pod of deploy/kubernetes/base its app's name as `app`", () => {
    const blocks = [...readFileSync(OPERATIONS, 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] as string);
    const snippet = blocks.find((b) => b.includes('kubernetes_sd_configs'));
    expect(snippet).toBeDefined();
    type Relabel = {
      source_labels?: string[];
      separator?: string;
      regex?: string;
      target_label?: string;
      replacement?: string;
      action?: string;
    };
    type Job = {
      job_name: string;
      kubernetes_sd_configs?: Array<{ role: string }>;
      static_configs?: unknown;
      relabel_configs: Relabel[];
    };
    const config = parse(snippet as string) as { scrape_configs: Job[] };
    const job = config.scrape_configs.find((c) => c.job_name === 'caravan') as Job;
    expect(job.kubernetes_sd_configs).toEqual([expect.objectContaining({ role: 'pod' })]);
    // Debian's promtool is built without Kubernetes service discovery: the rest of the job (its
    // relabelling above all) is checked with static targets in its place.
    withTempDir((dir) => {
      const file = join(dir, 'prometheus.yml');
      const { kubernetes_sd_configs: _sd, ...rest } = job;
      writeFileSync(
        file,
        stringify({ scrape_configs: [{ ...rest, static_configs: [{ targets: ['10.0.0.1:8080'] }] }] }),
      );
      expect(promtool('check', 'config', file)).toMatch(/is valid prometheus config file/);
    });
    // The relabelling applied to the labels Kubernetes' pod discovery gives each pod of the base.
    type Pod = {
      metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
      spec: { containers: Array<{ ports: Array<{ name: string; containerPort: number }> }> };
    };
    const discovered = (pod: Pod, name: string): Record<string, string> => {
      const meta: Record<string, string> = {
        __address__: `10.0.0.1:${pod.spec.containers[0]?.ports[0]?.containerPort}`,
        __metrics_path__: '/metrics',
        __meta_kubernetes_namespace: 'caravan',
        __meta_kubernetes_pod_name: name,
        __meta_kubernetes_pod_container_port_name: pod.spec.containers[0]?.ports[0]?.name ?? '',
      };
      for (const [k, v] of Object.entries(pod.metadata.labels))
        meta[`__meta_kubernetes_pod_label_${k.replace(/[^a-zA-Z0-9_]/g, '_')}`] = v;
      for (const [k, v] of Object.entries(pod.metadata.annotations ?? {}))
        meta[`__meta_kubernetes_pod_annotation_${k.replace(/[^a-zA-Z0-9_]/g, '_')}`] = v;
      return meta;
    };
    const base = join(ROOT, 'deploy', 'kubernetes', 'base');
    for (const app of APP_NAMES) {
      const deployment = parseAllDocuments(readFileSync(join(base, `${app}.yaml`), 'utf8'))
        .map((d) => d.toJS() as { kind: string; spec: { template: Pod } })
        .find((d) => d.kind === 'Deployment');
      const target = relabel(discovered(deployment?.spec.template as Pod, `caravan-${app}-0`), job.relabel_configs);
      expect([app, target?.app, target?.__address__, target?.__metrics_path__]).toEqual([
        app,
        app,
        '10.0.0.1:8080',
        '/metrics',
      ]);
    }
    // Another workload's pod that asks to be scraped is not Caravan's.
    const other: Pod = {
      metadata: {
        labels: { 'app.kubernetes.io/name': 'postgres-exporter' },
        annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9187' },
      },
      spec: { containers: [{ ports: [{ name: 'http', containerPort: 9187 }] }] },
    };
    expect(relabel(discovered(other, 'exporter-0'), job.relabel_configs)).toBeUndefined();
  });
});

/**
 * Prometheus' relabelling (replace, keep, drop; anchored RE2-compatible regexes; defaults as
 * documented); undefined when the target is dropped.
 */
function relabel(
  labels: Record<string, string>,
  rules: Array<{
    source_labels?: string[];
    separator?: string;
    regex?: string;
    target_label?: string;
    replacement?: string;
    action?: string;
  }>,
): Record<string, string> | undefined {
  const out = { ...labels };
  for (const rule of rules) {
    const value = (rule.source_labels ?? []).map((l) => out[l] ?? '').join(rule.separator ?? ';');
    const match = new RegExp(`^(?:${rule.regex ?? '(.*)'})$`).exec(value);
    const action = rule.action ?? 'replace';
    if (action === 'keep' && !match) return undefined;
    if (action === 'drop' && match) return undefined;
    if (action === 'replace' && match && rule.target_label) {
      const replaced = (rule.replacement ?? '$1').replace(/\$\{?(\d+)\}?/g, (_m, n: string) => match[Number(n)] ?? '');
      if (replaced === '') delete out[rule.target_label];
      else out[rule.target_label] = replaced;
    }
  }
  return out;
}

describe('monitoring: the alerts', () => {
  it('has every alert the issue lists, each once', () => {
    const names = alerts().map((a) => a.alert);
    expect(names).toEqual(expect.arrayContaining(REQUIRED_ALERTS));
    expect(new Set(names).size).toBe(names.length);
    expect(alertFile().groups.map((g) => g.name)).toEqual(['caravan']);
  });

  it.each(alerts().map((a) => [a.alert, a] as const))(
    '%s: a for:, severity page|ticket, summary, description with the value, and a runbook heading ' +
      'in docs/operations.md',
    (_name, alert) => {
      expect(alert.for).toMatch(/^\d+[smh]$/);
      expect(['page', 'ticket']).toContain(alert.labels?.severity);
      expect(alert.annotations?.summary?.length ?? 0).toBeGreaterThan(10);
      expect(alert.annotations?.description).toMatch(/\$value/);
      expect(alert.annotations?.runbook_url).toBe(`docs/operations.md#${alert.alert.toLowerCase()}`);
      const anchor = (alert.annotations?.runbook_url ?? '').split('#')[1] ?? '';
      expect([...headingAnchors(readFileSync(OPERATIONS, 'utf8'))]).toContain(anchor);
    },
  );

  it('alerts.test.yml makes every alert fire in one case and stay silent in another', () => {
    type Case = { alertname: string; exp_alerts?: unknown[] };
    const tests = (
      parse(readFileSync(join(PROMETHEUS, 'alerts.test.yml'), 'utf8')) as { tests: Array<{ alert_rule_test?: Case[] }> }
    ).tests;
    const cases = tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const { alert } of alerts()) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect([alert, mine.some((c) => (c.exp_alerts ?? []).length > 0)]).toEqual([alert, true]);
      expect([alert, mine.some((c) => (c.exp_alerts ?? []).length === 0)]).toEqual([alert, true]);
    }
  });

  it('counts the pipeline-wide figures once: each inside a max (or min) over the api replicas that export it, never a sum', () => {
    const exprs = [
      ...alerts().map((a) => [a.alert, a.expr]),
      ...dashboardTargets().map(({ panel, target }) => [`${panel.title} (${target.refId})`, target.expr]),
    ];
    const uncounted = exprs.flatMap(([where, expr]) =>
      pipelineWideUses(expr as string)
        .filter((use) => !['max', 'min', 'absent'].includes(use.aggregation ?? ''))
        .map((use) => `${where}: ${use.metric} under ${use.aggregation ?? 'no aggregation'}`),
    );
    expect(uncounted).toEqual([]);
    // The check bites.
    expect(pipelineWideUses('sum by (topic) (rate(caravan_records_consumed_total[5m]))')).toEqual([
      { metric: 'caravan_records_consumed_total', aggregation: 'sum' },
    ]);
    expect(pipelineWideUses('caravan_snapshot_age_seconds > 300')).toEqual([
      { metric: 'caravan_snapshot_age_seconds', aggregation: undefined },
    ]);
    expect(
      pipelineWideUses(
        'sum(max by (topic) (increase(caravan_events_accepted_total[15m]))) and on (x) (sum without ' +
          '(pod) (caravan_dlq_pending_records))',
      ),
    ).toEqual([
      { metric: 'caravan_events_accepted_total', aggregation: 'max' },
      { metric: 'caravan_dlq_pending_records', aggregation: 'sum' },
    ]);
  });
});

describe('monitoring: the Grafana dashboard and provisioning', () => {
  it('is dashboard uid "caravan", schemaVersion 39, with a `datasource` variable of Prometheus data sources', () => {
    const d = dashboard();
    expect(d.uid).toBe('caravan');
    expect(d.schemaVersion).toBe(39);
    expect(d.templating.list.find((v) => v.name === 'datasource')).toMatchObject({
      type: 'datasource',
      query: 'prometheus',
    });
  });

  it('every panel has a unique id and a title; every non-row panel queries ${datasource} with at least one target', () => {
    const panels = dashboard().panels;
    const ids = panels.map((p) => p.id);
    expect(ids.every((id) => Number.isInteger(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels) {
      expect([p.id, p.title?.trim().length > 0]).toEqual([p.id, true]);
      if (p.type === 'row') continue;
      expect([p.title, p.datasource?.uid]).toEqual([p.title, '${datasource}']);
      expect([p.title, (p.targets ?? []).length > 0]).toEqual([p.title, true]);
      for (const t of p.targets ?? []) {
        expect([p.title, t.refId, t.datasource?.uid ?? '${datasource}']).toEqual([p.title, t.refId, '${datasource}']);
        expect([p.title, t.refId, typeof t.expr === 'string' && t.expr.trim().length > 0]).toEqual([
          p.title,
          t.refId,
          true,
        ]);
      }
    }
  });

  it('panels lie within the 24-column grid without overlapping', () => {
    const cells = new Map<string, number>();
    const problems: string[] = [];
    for (const p of dashboard().panels) {
      const { x, y, w, h } = p.gridPos;
      if (!(x >= 0 && w > 0 && x + w <= 24 && h > 0)) problems.push(`${p.id} lies outside the grid`);
      for (let i = x; i < x + w; i++) {
        for (let j = y; j < y + h; j++) {
          const other = cells.get(`${i},${j}`);
          if (other !== undefined) problems.push(`${p.id} overlaps ${other} at ${i},${j}`);
          cells.set(`${i},${j}`, p.id);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('every PromQL expression of the dashboard parses (promtool check rules on them as recording rules)', () => {
    const targets = dashboardTargets();
    expect(targets.length).toBeGreaterThan(20);
    for (const { panel, target } of targets)
      expect([panel.title, withoutGrafanaVariables(target.expr)]).not.toEqual([
        panel.title,
        expect.stringContaining('$'),
      ]);
    const rules = targets.map(({ panel, target }) => ({
      record: `caravan_dashboard:panel_${panel.id}_${target.refId}`,
      expr: withoutGrafanaVariables(target.expr),
    }));
    withTempDir((dir) => {
      const file = join(dir, 'dashboard-rules.yml');
      writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
      expect(promtool('check', 'rules', file)).toMatch(new RegExp(`SUCCESS: ${rules.length} rules found`));
    });
  });

  it('provisions the Prometheus data source (uid prometheus, the default) and loads the dashboards from /var/lib/grafana/dashboards', () => {
    const sources = parse(readFileSync(join(GRAFANA, 'provisioning', 'datasources', 'prometheus.yml'), 'utf8')) as {
      datasources: Array<Record<string, unknown>>;
    };
    expect(sources.datasources).toEqual([
      expect.objectContaining({
        uid: 'prometheus',
        type: 'prometheus',
        url: 'http://prometheus:9090',
        isDefault: true,
      }),
    ]);
    const providers = parse(readFileSync(join(GRAFANA, 'provisioning', 'dashboards', 'caravan.yml'), 'utf8')) as {
      providers: Array<{ type: string; options: { path: string } }>;
    };
    expect(providers.providers).toEqual([
      expect.objectContaining({
        type: 'file',
        options: expect.objectContaining({ path: '/var/lib/grafana/dashboards' }),
      }),
    ]);
  });
});

describe('monitoring: every metric the alerts and the dashboard use is one the apps export', () => {
  it('the name extraction finds metrics, not functions, keywords, labels, strings or durations', () => {
    expect(
      metricNames(
        'histogram_quantile(0.99, sum by (le, projection) ' +
          '(rate(caravan_projection_batch_seconds_bucket{app="projector"}[5m])))',
      ),
    ).toEqual(['caravan_projection_batch_seconds_bucket']);
    expect(
      metricNames(
        'max(a_metric) > 100 + 60 * (sum(b_metric offset 5m) or vector(0)) and on () c:recorded ' +
          'unless ignoring (instance) d_total',
      ),
    ).toEqual(['a_metric', 'b_metric', 'c:recorded', 'd_total']);
    expect(
      metricNames('label_replace(up, "dst", "$1", "src", "(.*)") / on (job) group_left (app) info_metric == bool 1e3'),
    ).toEqual(['up', 'info_metric']);
    expect(metricNames('sum(x)by(topic) - min_over_time(y[30m:1m]) @ end() > inf')).toEqual(['x', 'y']);
  });

  it.each([
    ['alerts.yml', () => alerts().map((a) => [a.alert, a.expr] as const)],
    [
      'the dashboard',
      () =>
        dashboardTargets().map(
          ({ panel, target }) => [`${panel.title} (${target.refId})`, withoutGrafanaVariables(target.expr)] as const,
        ),
    ],
  ])('%s', async (_file, exprs) => {
    const exported = await exportedMetricNames();
    // Sanity: the registry has the apps' metrics, histograms expanded, the default process metrics prefixed.
    for (const name of [
      'caravan_loop_running',
      'caravan_ingest_batch_seconds_bucket',
      'caravan_process_start_time_seconds',
      'caravan_records_consumed_total',
    ])
      expect(exported).toContain(name);
    const unknown = exprs()
      .flatMap(([where, expr]) => metricNames(expr).map((name) => [where, name] as const))
      .filter(([, name]) => !exported.has(name));
    expect(unknown).toEqual([]);
    expect(exprs().flatMap(([, expr]) => metricNames(expr)).length).toBeGreaterThan(10);
  });
});
