import { RateTable } from './currency-rates';
import { localDate } from './local-date';
import { toScaled, usdCents } from './money';

describe('localDate', () => {
  it('uses the IANA zone: 2024-12-31T20:00:00Z is 2025-01-01 in Asia/Almaty', () => {
    expect(localDate(Date.parse('2024-12-31T20:00:00Z'), 'Asia/Almaty')).toBe('2025-01-01');
    expect(localDate(Date.parse('2024-12-31T18:59:59Z'), 'Asia/Almaty')).toBe('2024-12-31');
  });

  it('follows Almaty from UTC+6 to UTC+5 on 1 March 2024', () => {
    // 18:30Z is 00:30 the next day at +6 (before the change) but 23:30 the same day at +5 (after).
    expect(localDate(Date.parse('2023-06-10T18:30:00Z'), 'Asia/Almaty')).toBe('2023-06-11');
    expect(localDate(Date.parse('2024-06-10T18:30:00Z'), 'Asia/Almaty')).toBe('2024-06-10');
  });

  it('writes every year with four digits (or ISO 8601 expanded years), never a short year', () => {
    expect(localDate(Date.parse('0099-06-01T00:00:00Z'), 'Asia/Almaty')).toBe('0099-06-01');
    expect(localDate(Date.parse('0001-06-01T00:00:00Z'), 'UTC')).toBe('0001-06-01');
    expect(localDate(Date.parse('0000-06-01T00:00:00Z'), 'UTC')).toBe('0000-06-01');
    expect(localDate(Date.parse('-000005-06-01T00:00:00Z'), 'UTC')).toBe('-000005-06-01');
    expect(localDate(Date.parse('+012345-06-01T00:00:00Z'), 'UTC')).toBe('+012345-06-01');
    expect(localDate(Date.parse('1969-12-31T23:00:00Z'), 'Asia/Almaty')).toBe('1970-01-01');
  });
});

describe('money', () => {
  it('converts exactly, rounding half up to cents', () => {
    expect(toScaled('1234.5', 2)).toBe(123450n);
    expect(usdCents('1234.50', '0.1390')).toBe(17160n); // 171.5955 → 171.60
    expect(usdCents('0.01', '0.5')).toBe(1n); // 0.005 → 0.01
    expect(usdCents('1000000', '0.00213')).toBe(213000n);
    expect(() => toScaled('1.234', 2)).toThrow(/more than 2 decimals/);
  });

  it('takes the rate valid at the instant', () => {
    const rates = new RateTable([
      { currency: 'CNY', validFromMs: Date.parse('2000-01-01T00:00:00Z'), usdPerUnit: '0.14' },
      { currency: 'CNY', validFromMs: Date.parse('2024-07-01T00:00:00Z'), usdPerUnit: '0.13' },
    ]);
    expect(rates.toUsdCents('100', 'CNY', Date.parse('2024-06-30T23:59:59Z'))).toBe(1400n);
    expect(rates.toUsdCents('100', 'CNY', Date.parse('2024-07-01T00:00:00Z'))).toBe(1300n);
    expect(() => rates.toUsdCents('100', 'JPY', Date.now())).toThrow(/no JPY rate/);
  });
});
