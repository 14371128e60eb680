import { renderKpiTable } from './kpi-table';

const snapshot = (over: Record<string, unknown>) => ({
  kpi: 'arrivals',
  window: 'ytd',
  scope: {},
  from: '2024-01-01T00:00:00+06:00',
  asOf: '2024-12-31T23:59:59+05:00',
  value: 700_000,
  previous: 400_000,
  changePct: 75,
  position: 10,
  computedAt: '2025-01-01T00:00:02Z',
  ...over,
});

describe('the terminal KPI table', () => {
  it('shows kpi, window, scope, value, previous, change and target progress, in reading order', () => {
    const table = renderKpiTable([
      snapshot({ kpi: 'revenue_usd', value: 1234.5, previous: 0, changePct: null, position: 12 }),
      snapshot({
        scope: { nationality: 'CN' },
        value: 655_000,
        previous: 368_000,
        changePct: 78,
        target: 500_000,
        progressPct: 131,
      }),
      snapshot({ window: '1d', value: 3, previous: 4, changePct: -25 }),
      snapshot({}),
      snapshot({
        kpi: 'destination_rank',
        value: [
          { destination: 'almaty', bookings: 900 },
          { destination: 'astana', bookings: 300 },
        ],
        previous: [],
        changePct: null,
      }),
    ] as never);
    const lines = table.split('\n');
    expect(lines[0]).toBe('as of 2024-12-31T23:59:59+05:00 (event-store position 12, computed 2025-01-01T00:00:02Z)');
    expect(lines[1]).toMatch(/^kpi\s+window\s+scope\s+value\s+previous\s+change\s+target progress$/);
    const rows = lines.slice(3).map((l) => l.split(/\s{2,}/));
    expect(rows).toEqual([
      ['arrivals', '1d', '*', '3', '4', '-25.0%'],
      ['arrivals', 'ytd', '*', '700,000', '400,000', '+75.0%'],
      ['arrivals', 'ytd', 'nationality=CN', '655,000', '368,000', '+78.0%', '131.0% of 500,000'],
      ['destination_rank', 'ytd', '*', 'almaty 900, astana 300', '—'],
      ['revenue_usd', 'ytd', '*', '$1,234.50', '$0.00', '—'],
    ]);
  });

  it('says so when there is nothing yet', () => {
    expect(renderKpiTable([])).toMatch(/^no KPI snapshots yet/);
  });
});
