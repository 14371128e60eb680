import { buildEvent, validateRecord } from '@caravan/contract';
import type { ImportOptions, ImportRecord } from './import-types';
import { ndjsonRecords } from './ndjson';

const NOW = Date.parse('2024-06-01T12:00:00Z');
const options: ImportOptions = {
  timeZone: 'Asia/Almaty',
  fallbackRole: 'arrivals',
  nowMs: NOW,
  hasRate: (c) => ['USD', 'CNY', 'KZT'].includes(c),
};
const at = { occurredAt: '2024-05-01T10:00:00+05:00', producer: 'test' };

const arrival = JSON.stringify(
  buildEvent.arrivalRecorded(
    { nationality: 'CN', port: 'ala-airport', purpose: 'tourism', travelers: 3 },
    { ...at, eventId: '0b9d6c2e-4f6a-4a8e-9c1e-2f1d3b6a7c10' },
  ),
);
const booking = (currency: string, occurredAt = at.occurredAt) =>
  JSON.stringify(
    buildEvent.bookingCreated(
      {
        bookingId: 'b-1',
        market: 'CN',
        destination: 'almaty',
        channel: 'ota',
        travelers: 2,
        checkIn: '2024-07-01',
        nights: 5,
        price: { amount: '100.00', currency },
      },
      { ...at, occurredAt, eventId: '1b9d6c2e-4f6a-4a8e-9c1e-2f1d3b6a7c10' },
    ),
  );
const media = JSON.stringify(
  buildEvent.mediaViewsReported(
    { platform: 'douyin', campaign: 'visit-kz', market: 'CN', views: 10 },
    { ...at, eventId: '2b9d6c2e-4f6a-4a8e-9c1e-2f1d3b6a7c10' },
  ),
);

async function records(
  lines: Array<string | Uint8Array>,
  overrides: Partial<ImportOptions> = {},
): Promise<ImportRecord[]> {
  const out: ImportRecord[] = [];
  for await (const record of ndjsonRecords(lines, { ...options, ...overrides })) out.push(record);
  return out;
}

describe('ndjsonRecords', () => {
  it('routes each line by its type and keys it, sending the line exactly', async () => {
    const out = await records([arrival, booking('CNY'), media]);
    expect(out).toEqual([
      { line: 1, role: 'arrivals', key: 'ala-airport', value: Buffer.from(arrival) },
      { line: 2, role: 'bookings', key: 'b-1', value: Buffer.from(booking('CNY')) },
      { line: 3, role: 'media', key: 'visit-kz', value: Buffer.from(media) },
    ]);
  });

  it('numbers lines from 1, counting the blank lines it skips, and trims only the line ending', async () => {
    const spaced = ` ${arrival}  `;
    const out = await records(['', '   ', `${arrival}\r`, '\r', `${spaced}\r\n`]);
    expect(out.map((r) => [r.line, r.value.toString()])).toEqual([
      [3, arrival],
      [5, spaced],
    ]);
    expect(out[1]?.problem).toBeUndefined();
  });

  it('drops a UTF-8 BOM on the first line only', async () => {
    const out = await records([`\uFEFF${arrival}`, `\uFEFF${media}`]);
    expect(out[0]?.value).toEqual(Buffer.from(arrival));
    expect(out[1]?.value.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });

  it.each([
    ['truncated JSON', arrival.slice(0, 40), 'arrivals', null, /^malformed_json: /],
    ['a JSON array', `[${arrival}]`, 'arrivals', null, /^malformed_json: the value is not a JSON object$/],
    [
      'an unknown type',
      arrival.replace('ArrivalRecorded', 'HotelStay'),
      'arrivals',
      null,
      /^unknown_type: no event type "HotelStay"$/,
    ],
    ['a missing type', arrival.replace('"type":"ArrivalRecorded",', ''), 'arrivals', null, /^schema: type: /],
    [
      'a schema violation',
      arrival.replace('"travelers":3', '"travelers":0'),
      'arrivals',
      'ala-airport',
      /^schema: data\.travelers: Too small/,
    ],
    ['a missing key field', arrival.replace('"port":"ala-airport",', ''), 'arrivals', null, /^schema: data\.port: /],
    [
      'an unknown version',
      media.replace('"version":1', '"version":2'),
      'media',
      'visit-kz',
      /^unknown_version: MediaViewsReported has versions 1 to 1, not 2$/,
    ],
    [
      'a currency without a rate',
      booking('EUR'),
      'bookings',
      'b-1',
      /^unknown_currency: no reference rate for EUR at 2024-05-01T10:00:00\+05:00$/,
    ],
    [
      'an event from the future',
      booking('USD', '2024-06-03T12:00:00Z'),
      'bookings',
      'b-1',
      /^future_event: occurredAt 2024-06-03T12:00:00Z is more than 24 h ahead/,
    ],
    [
      'a line over 64 KiB',
      JSON.stringify({ pad: 'x'.repeat(70_000) }),
      'arrivals',
      null,
      /^too_large: 70010 bytes, at most 65536$/,
    ],
  ])('flags %s with the code the pipeline will give, and still sends it', async (_, line, role, key, problem) => {
    const [record] = await records(['', line]);
    expect(record).toEqual({ line: 2, role, key, value: Buffer.from(line), problem: expect.stringMatching(problem) });
  });

  it('accepts any currency and uses the wall clock when no rates or clock are given', async () => {
    const [record] = await records([booking('EUR')], { hasRate: undefined, nowMs: undefined });
    expect(record?.problem).toBeUndefined();
  });

  it('sends bytes that are not UTF-8 as they are, flagged malformed_json', async () => {
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    expect(await records([bytes])).toEqual([
      { line: 1, role: 'arrivals', key: null, value: bytes, problem: expect.stringMatching(/^malformed_json: /) },
    ]);
  });

  it('gives values without a problem that validateRecord accepts', async () => {
    for (const record of await records([arrival, booking('KZT'), media])) {
      expect(record.problem).toBeUndefined();
      expect(validateRecord(record.value, { nowMs: NOW, hasRate: () => true }).ok).toBe(true);
    }
  });
});
