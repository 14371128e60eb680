import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { downloadCsv, fill, h, text } from './dom';

export type Labels = { table: string; csv: string; name: string; value: string; noData: string };

/**
 * A chart with what goes with it: a title, a table alternative (for screen readers and copying)
 * in a disclosure, and a CSV download of the same numbers.
 */
abstract class Figure {
  readonly el: HTMLElement;
  protected readonly body: HTMLElement;
  private readonly caption: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly csvButton: HTMLButtonElement;
  private readonly table: HTMLTableElement;
  protected rows: Array<Array<string | number>> = [];

  constructor(readonly id: string) {
    this.caption = h('figcaption', { id: `${id}-title` });
    this.body = h('div', { class: 'chart-body' });
    this.summary = h('summary');
    this.table = h('table', { class: 'data-table', 'aria-labelledby': `${id}-title` });
    this.csvButton = h('button', {
      type: 'button',
      class: 'csv',
      onclick: () => downloadCsv(`${this.id}.csv`, this.rows),
    });
    this.el = h(
      'figure',
      { class: 'chart', id, 'aria-labelledby': `${id}-title` },
      this.caption,
      this.body,
      h('div', { class: 'chart-tools' }, h('details', {}, this.summary, this.table), this.csvButton),
    );
  }

  protected setTitle(title: string, labels: Labels): void {
    text(this.caption, title);
    text(this.summary, labels.table);
    text(this.csvButton, labels.csv);
  }

  /** The table alternative and the CSV: the header row, then the data as numbers. */
  protected setRows(rows: Array<Array<string | number>>, formatted: (value: number, column: number) => string): void {
    this.rows = rows;
    const [header, ...data] = rows;
    fill(
      this.table,
      h('thead', {}, h('tr', {}, ...(header ?? []).map((c) => h('th', { scope: 'col' }, String(c))))),
      h(
        'tbody',
        {},
        ...data.map((r) =>
          h(
            'tr',
            {},
            ...r.map((c, i) =>
              i === 0
                ? h('th', { scope: 'row' }, String(c))
                : h('td', { 'data-value': c }, typeof c === 'number' ? formatted(c, i) : c),
            ),
          ),
        ),
      ),
    );
  }
}

/** Ranked horizontal bars (HTML, so sharp at any size and readable as text), the exact value on each. */
export class BarChart extends Figure {
  update(
    title: string,
    labels: Labels,
    items: Array<{ label: string; value: number }>,
    format: (n: number) => string,
  ): void {
    this.setTitle(title, labels);
    const max = Math.max(1, ...items.map((i) => i.value));
    if (items.length === 0) fill(this.body, h('p', { class: 'empty' }, labels.noData));
    else {
      const list = this.body.querySelector('ol') ?? h('ol', { class: 'bars' });
      const existing = [...list.children] as HTMLElement[];
      items.forEach((item, i) => {
        let li = existing[i];
        if (!li) {
          li = h(
            'li',
            {},
            h('span', { class: 'bar-label' }),
            h('span', { class: 'bar-track' }, h('span', { class: 'bar' })),
            h('span', { class: 'bar-value' }),
          );
          list.append(li);
        }
        text(li.children[0] as Element, item.label);
        ((li.children[1] as HTMLElement).firstElementChild as HTMLElement).style.width =
          `${((item.value / max) * 100).toFixed(2)}%`;
        text(li.children[2] as Element, format(item.value));
        li.title = `${item.label}: ${format(item.value)}`;
      });
      for (const extra of existing.slice(items.length)) extra.remove();
      if (!list.isConnected) fill(this.body, list);
    }
    this.setRows([[labels.name, labels.value], ...items.map((i) => [i.label, i.value])], (n) => format(n));
    this.el.dataset.points = String(items.length);
  }
}

/**
 * A year against the year before, per day, week or month (uPlot, canvas); the legend shows the
 * exact values under the cursor.
 */
export class YearChart extends Figure {
  private plot: uPlot | undefined;
  private shape = '';

  constructor(
    id: string,
    private readonly style: 'line' | 'bars',
  ) {
    super(id);
  }

  update(
    title: string,
    labels: Labels,
    periods: string[],
    series: Array<{ name: string; values: number[] }>,
    format: (n: number) => string,
    periodLabel: string,
  ): void {
    this.setTitle(title, labels);
    const data: uPlot.AlignedData = [periods.map((_, i) => i), ...series.map((s) => s.values)];
    const shape = `${periods.length}|${series.map((s) => s.name).join('|')}|${format(1)}`;
    const width = Math.max(300, this.body.clientWidth || 600);
    if (this.plot && shape === this.shape) this.plot.setData(data);
    else {
      this.plot?.destroy();
      this.shape = shape;
      const colors = ['#1f5fa8', '#b35900'];
      this.plot = new uPlot(
        {
          width,
          height: 260,
          scales: { x: { time: false } },
          axes: [
            { values: (_u, ticks) => ticks.map((t) => periods[t] ?? '') },
            { values: (_u, ticks) => ticks.map((t) => format(t)), size: 80 },
          ],
          series: [
            { label: periodLabel, value: (_u, v) => (v === null ? '' : (periods[v] ?? '')) },
            ...series.map((s, i): uPlot.Series => ({
              label: s.name,
              stroke: colors[i] ?? '#444',
              width: i === 0 ? 2 : 1.5,
              value: (_u: uPlot, v: number | null) => (v === null ? '' : format(v)),
              // The year before dashed; in a bar chart, this year as bars.
              ...(i === 0 ? {} : { dash: [6, 4] }),
              ...(this.style === 'bars' && i === 0
                ? { fill: 'rgba(31, 95, 168, 0.35)', paths: uPlot.paths.bars?.({ size: [0.6, 60] }) }
                : {}),
            })),
          ],
        },
        data,
        this.body,
      );
    }
    this.setRows(
      [
        [periodLabel, ...series.map((s) => s.name)],
        ...periods.map((p, i) => [p, ...series.map((s) => s.values[i] ?? 0)]),
      ],
      (n) => format(n),
    );
    this.el.dataset.points = String(this.points);
  }

  /** Follows the container's width (the layout goes from 1280 px down to 768 px). */
  resize(): void {
    if (this.plot) this.plot.setSize({ width: Math.max(300, this.body.clientWidth || 600), height: 260 });
  }

  /** How many points each series has as drawn (the figure's data-points). */
  get points(): number {
    return this.plot?.data[0]?.length ?? 0;
  }
}
