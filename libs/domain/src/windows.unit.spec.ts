import { addDays, changePct, formatInZone, startOfLocalDay, windowsAt, yearEarlier } from './windows';

describe('KPI windows', () => {
  it('ends every window with the watermark local day, inclusive, a year earlier for previous', () => {
    const windows = windowsAt(Date.parse('2024-03-10T12:00:00Z'), 'Asia/Almaty');
    expect(
      Object.fromEntries(windows.map((w) => [w.name, [w.current.from, w.current.to, w.previous.from, w.previous.to]])),
    ).toEqual({
      '1d': ['2024-03-10', '2024-03-10', '2023-03-10', '2023-03-10'],
      '7d': ['2024-03-04', '2024-03-10', '2023-03-04', '2023-03-10'],
      '30d': ['2024-02-10', '2024-03-10', '2023-02-10', '2023-03-10'],
      mtd: ['2024-03-01', '2024-03-10', '2023-03-01', '2023-03-10'],
      ytd: ['2024-01-01', '2024-03-10', '2023-01-01', '2023-03-10'],
    });
  });

  it('maps 29 February to 28 February a year earlier', () => {
    expect(yearEarlier('2024-02-29')).toBe('2023-02-28');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
  });

  it('places a 2024-12-31T20:00:00Z watermark in 2025 for Asia/Almaty', () => {
    const ytd = windowsAt(Date.parse('2024-12-31T20:00:00Z'), 'Asia/Almaty').find((w) => w.name === 'ytd');
    expect(ytd?.current).toEqual({ from: '2025-01-01', to: '2025-01-01' });
  });

  it('formats instants with the zone offset of their date (Almaty: +06:00 until 1 March 2024, then +05:00)', () => {
    expect(formatInZone(startOfLocalDay('2024-01-01', 'Asia/Almaty'), 'Asia/Almaty')).toBe('2024-01-01T00:00:00+06:00');
    expect(formatInZone(startOfLocalDay('2024-03-01', 'Asia/Almaty'), 'Asia/Almaty')).toBe('2024-03-01T00:00:00+05:00');
    expect(formatInZone(Date.parse('2024-12-31T18:59:59Z'), 'Asia/Almaty')).toBe('2024-12-31T23:59:59+05:00');
  });

  it('computes changePct to one decimal, null without a previous value', () => {
    expect(changePct(655_000, 368_000)).toBe(78);
    expect(changePct(1, 3)).toBe(-66.7);
    expect(changePct(5, 0)).toBeNull();
  });
});
