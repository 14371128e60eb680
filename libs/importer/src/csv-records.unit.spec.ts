import { validateRecord } from '@caravan/contract';
import { csvRecords } from './csv-records';
import { ImportFileError } from './import-file-error';
import type { ImportOptions, ImportRecord } from './import-types';

const NOW = Date.parse('2025-01-01T00:00:00Z');
const options: ImportOptions = {
  timeZone: 'Asia/Almaty',
  fallbackRole: 'media',
  nowMs: NOW,
  hasRate: (c) => ['USD', 'CNY', 'KZT'].includes(c),
};

async function records(text: string | string[], overrides: Partial<ImportOptions> = {}): Promise<ImportRecord[]> {
  const out: ImportRecord[] = [];
  for await (const record of csvRecords(typeof text === 'string' ? [text] : text, { ...options, ...overrides }))
    out.push(record);
  return out;
}
const json = (record: ImportRecord | undefined) => JSON.parse(record?.value.toString() ?? 'null');

const ARRIVALS = 'occurredAt,nationality,port,purpose,travelers,destination\n';

describe('csvRecords', () => {
  it('sends one keyed record per row, with the line it starts on, in file order', async () => {
    const text =
      'type,occurredAt,bookingId,reason,campaign,platform,market,views\r\n' +
      'BookingCancelled,2024-03-10T17:00:00+05:00,bk-1,"ill,\r\nmoved",,,,\r\n' +
      'MediaViewsReported,2024-03-31 23:00,,,visit-kz,douyin,CN,12\r\n';
    const out = await records(text);
    expect(out.map(({ line, role, key, problem }) => ({ line, role, key, problem }))).toEqual([
      { line: 2, role: 'bookings', key: 'bk-1', problem: undefined },
      { line: 4, role: 'media', key: 'visit-kz', problem: undefined },
    ]);
    expect(json(out[0])).toEqual({
      eventId: expect.stringMatching(/^[0-9a-f-]{14}8/),
      type: 'BookingCancelled',
      version: 1,
      occurredAt: '2024-03-10T17:00:00+05:00',
      producer: 'caravan-import',
      data: { bookingId: 'bk-1', reason: 'ill,\r\nmoved' },
    });
    expect(json(out[1])).toMatchObject({
      occurredAt: '2024-03-31T23:00:00+05:00',
      data: { platform: 'douyin', campaign: 'visit-kz', market: 'CN', views: 12 },
    });
    expect(Object.keys(json(out[1]))).toEqual(['eventId', 'type', 'version', 'occurredAt', 'producer', 'data']);
  });

  it('gives every row the type and producer of the options when the file has no such columns', async () => {
    const out = await records(`${ARRIVALS}2024-02-15 10:00,CN,ala-airport,tourism,2,almaty\n`, {
      type: 'ArrivalRecorded',
      producer: 'border-team',
    });
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ line: 2, role: 'arrivals', key: 'ala-airport' });
    expect(out[0]?.problem).toBeUndefined();
    expect(json(out[0])).toMatchObject({
      type: 'ArrivalRecorded',
      producer: 'border-team',
      occurredAt: '2024-02-15T10:00:00+06:00',
      data: { travelers: 2 },
    });
  });

  it('gives the same eventIds when the same file is imported twice, and different ones to identical rows', async () => {
    const text =
      `${ARRIVALS}2024-04-20 09:00,RU,ala-airport,tourism,3,almaty\n2024-04-20 ` +
      `09:00,RU,ala-airport,tourism,3,almaty\n`;
    const ids = async () => (await records(text, { type: 'ArrivalRecorded' })).map((r) => json(r).eventId as string);
    const [first, second] = [await ids(), await ids()];
    expect(second).toEqual(first);
    expect(new Set(first).size).toBe(2);
  });

  it('keeps an eventId given in the file', async () => {
    const out = await records(
      `eventId,${ARRIVALS}0b9d6c2e-4f6a-4a8e-9c1e-2f1d3b6a7c10,2024-02-15T10:00:00+06:00,CN,ala-airport,tourism,2,\n`,
      { type: 'ArrivalRecorded' },
    );
    expect(json(out[0]).eventId).toBe('0b9d6c2e-4f6a-4a8e-9c1e-2f1d3b6a7c10');
  });

  it('flags the rows the pipeline will reject, with its code and paths, and still sends them', async () => {
    const text =
      'type,occurredAt,nationality,port,purpose,travelers,bookingId\n' +
      'ArrivalRecorded,2024-04-02T07:45:00+05:00,CN,ala-airport,tourism,three,\n' +
      'ArrivalRecorded,2024-05-20T06:30:00+05:00,CN,,tourism,6,\n' +
      'HotelStay,2024-06-01T14:00:00+05:00,,,,2,\n' +
      ',2024-06-01T14:00:00+05:00,CN,ala-airport,tourism,2,\n' +
      'ArrivalRecorded,2024-06-01,CN,ala-airport,tourism,2,\n' +
      'BookingCancelled,2030-01-01T00:00:00Z,,,,,bk-9\n';
    expect((await records(text)).map(({ line, role, key, problem }) => ({ line, role, key, problem }))).toEqual([
      {
        line: 2,
        role: 'arrivals',
        key: 'ala-airport',
        problem: 'schema: data.travelers: Invalid input: expected number, received string',
      },
      {
        line: 3,
        role: 'arrivals',
        key: null,
        problem: 'schema: data.port: Invalid input: expected string, received undefined',
      },
      { line: 4, role: 'media', key: null, problem: 'unknown_type: no event type "HotelStay"' },
      {
        line: 5,
        role: 'media',
        key: null,
        problem: 'schema: type: Invalid input: expected string, received undefined',
      },
      { line: 6, role: 'arrivals', key: 'ala-airport', problem: 'schema: occurredAt: Invalid ISO datetime' },
      {
        line: 7,
        role: 'bookings',
        key: 'bk-9',
        problem: expect.stringMatching(/^future_event: occurredAt 2030-01-01T00:00:00Z is more than 24 h ahead/),
      },
    ]);
  });

  it('sends a row that does not fit the header as its own text, flagged malformed_json with the reason', async () => {
    const text =
      'type,occurredAt,bookingId\nBookingCancelled,2024-03-10T17:00:00+05:00\n"x"y,' +
      '2024-03-10T17:00:00+05:00,bk-1\nNope,1,2,3\n';
    expect(await records(text)).toEqual([
      {
        line: 2,
        role: 'bookings',
        key: null,
        value: Buffer.from('BookingCancelled,2024-03-10T17:00:00+05:00'),
        problem: 'malformed_json: the row has 2 cells, the header 3',
      },
      {
        line: 3,
        role: 'media',
        key: null,
        value: Buffer.from('"x"y,2024-03-10T17:00:00+05:00,bk-1'),
        problem: 'malformed_json: text after the closing quote of a field',
      },
      {
        line: 4,
        role: 'media',
        key: null,
        value: Buffer.from('Nope,1,2,3'),
        problem: 'malformed_json: the row has 4 cells, the header 3',
      },
    ]);
  });

  it('checks the currency with the rates given', async () => {
    const text =
      'type,occurredAt,bookingId,market,destination,channel,travelers,checkIn,nights,price.amount,price.currency\n' +
      'BookingCreated,2024-02-20T12:00:00+06:00,bk-1,CN,almaty,ota,2,2024-04-01,5,8400.00,EUR\n';
    expect((await records(text))[0]?.problem).toBe(
      'unknown_currency: no reference rate for EUR at 2024-02-20T12:00:00+06:00',
    );
    expect((await records(text, { hasRate: undefined }))[0]?.problem).toBeUndefined();
  });

  it('gives the same records whatever the chunk boundaries', async () => {
    const text =
      `\uFEFF${ARRIVALS}2024-02-15 10:00,CN,ala-airport,tourism,2,"almaty"\r\n2024-02-16 ` +
      `10:00,CN,"ala-airport",tourism,3,\r\n`;
    const whole = await records(text, { type: 'ArrivalRecorded' });
    expect(await records(text.split(''), { type: 'ArrivalRecorded' })).toEqual(whole);
    expect(whole.map((r) => r.problem)).toEqual([undefined, undefined]);
  });

  it('throws ImportFileError before the first record for a bad header, type or zone', async () => {
    await expect(records('type,occurredAt,hotel\nX,Y,Z\n')).rejects.toThrow(ImportFileError);
    await expect(records('', { type: 'ArrivalRecorded' })).rejects.toThrow(
      'the CSV file is empty: its first row must name the columns',
    );
    await expect(records(ARRIVALS, { type: 'Arrivals' })).rejects.toThrow(/^unknown event type "Arrivals"/);
    await expect(records(ARRIVALS, { type: 'ArrivalRecorded', timeZone: 'Almaty' })).rejects.toThrow(
      'unknown time zone "Almaty": expected an IANA name such as Asia/Almaty',
    );
  });

  it('gives values without a problem that validateRecord accepts', async () => {
    const out = await records(
      `${ARRIVALS}2024-02-15 10:00,CN,ala-airport,tourism,2,almaty\n2024-06-15T10:00,KR,ala-airport,medical,1,\n`,
      { type: 'ArrivalRecorded' },
    );
    expect(out.map((r) => validateRecord(r.value, { nowMs: NOW, hasRate: () => true }).ok)).toEqual([true, true]);
  });
});
