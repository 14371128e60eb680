/** One table of the run: figure, value, ratio to Caravan's end-to-end rate, detail. */
export type BenchRow = { figure: string; value: number; unit: string; ratio?: number; detail?: string };

const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function renderTable(rows: BenchRow[]): string {
  const cells = rows.map((r) => [
    r.figure,
    `${number.format(r.value)} ${r.unit}`,
    r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`,
    r.detail ?? '',
  ]);
  const header = ['figure', 'value', 'vs Caravan', 'detail'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => (i === 1 || i === 2 ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '─'.repeat(w))), ...cells.map(line)].join('\n');
}
