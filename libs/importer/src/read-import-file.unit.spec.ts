import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateRecord } from '@caravan/contract';
import { detectFormat } from './detect-format';
import { ImportFileError } from './import-file-error';
import type { ImportOptions, ImportRecord } from './import-types';
import { readImportFile } from './read-import-file';

type Expected = {
  options: Pick<ImportOptions, 'timeZone' | 'fallbackRole' | 'type'>;
  sent: number;
  sentByTopic: Record<string, number>;
  accepted: number;
  rejected: Record<string, number>;
  problems: Record<string, string>;
};

const FIXTURES = join(__dirname, '../../../tests/fixtures/import');
// The fixtures' events are all in 2024, and their valid rows use currencies with default rates.
const NOW = Date.parse('2025-06-01T00:00:00Z');
const hasRate = (currency: string) => ['USD', 'CNY', 'KZT', 'EUR', 'RUB'].includes(currency);
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as Record<string, Expected>;
const fixtures = Object.keys(expected).filter((name) => name !== 'about');

async function importFile(path: string, options: ImportOptions): Promise<ImportRecord[]> {
  const out: ImportRecord[] = [];
  for await (const record of readImportFile(path, options)) out.push(record);
  return out;
}

const codeOf = (problem: string) => problem.slice(0, problem.indexOf(':'));

describe('readImportFile on tests/fixtures/import', () => {
  it.each(fixtures)('%s gives the records, topics and problems of expected.json', async (name) => {
    const spec = expected[name] as Expected;
    const records = await importFile(join(FIXTURES, name), { ...spec.options, nowMs: NOW, hasRate });
    const flagged = records.filter((r) => r.problem !== undefined);
    const byTopic = {
      arrivals: 0,
      bookings: 0,
      media: 0,
      ...Object.fromEntries(
        ['arrivals', 'bookings', 'media'].map((t) => [t, records.filter((r) => r.role === t).length]),
      ),
    };
    const rejected: Record<string, number> = {};
    for (const r of flagged) rejected[codeOf(r.problem as string)] = (rejected[codeOf(r.problem as string)] ?? 0) + 1;

    expect(records).toHaveLength(spec.sent);
    expect(byTopic).toEqual(spec.sentByTopic);
    expect(records.length - flagged.length).toBe(spec.accepted);
    expect(rejected).toEqual(spec.rejected);
    expect(Object.fromEntries(flagged.map((r) => [String(r.line), codeOf(r.problem as string)]))).toEqual(
      spec.problems,
    );
  });

  it.each(fixtures)('%s: every record without a problem passes validateRecord, with a unique eventId', async (name) => {
    const records = await importFile(join(FIXTURES, name), {
      ...(expected[name] as Expected).options,
      nowMs: NOW,
      hasRate,
    });
    const ids = new Set<string>();
    for (const record of records.filter((r) => r.problem === undefined)) {
      const result = validateRecord(record.value, { nowMs: NOW, hasRate });
      if (!result.ok) throw new Error(`line ${record.line}: ${result.rejection.code} ${result.rejection.detail}`);
      ids.add(result.event.eventId);
    }
    expect(ids.size).toBe((expected[name] as Expected).accepted);
  });

  it('flags exactly the malformed fixture lines, with the pipeline detail', async () => {
    const csv = await importFile(join(FIXTURES, 'arrivals-and-bookings.csv'), {
      timeZone: 'Asia/Almaty',
      fallbackRole: 'arrivals',
      nowMs: NOW,
      hasRate,
    });
    expect(csv.filter((r) => r.problem).map(({ line, role, key, problem }) => ({ line, role, key, problem }))).toEqual([
      {
        line: 8,
        role: 'arrivals',
        key: 'ala-airport',
        problem: 'schema: data.travelers: Invalid input: expected number, received string',
      },
      {
        line: 12,
        role: 'arrivals',
        key: null,
        problem: 'schema: data.port: Invalid input: expected string, received undefined',
      },
      { line: 14, role: 'arrivals', key: null, problem: 'unknown_type: no event type "HotelStay"' },
    ]);
    expect(csv.map((r) => r.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22]);
    const occurredAt = (line: number) =>
      JSON.parse(csv.find((r) => r.line === line)?.value.toString() ?? '{}').occurredAt;
    expect([occurredAt(3), occurredAt(15)]).toEqual(['2024-02-15T10:00:00+06:00', '2024-06-15T10:00:00+05:00']);
    expect(JSON.parse(csv.find((r) => r.line === 10)?.value.toString() ?? '{}').data.reason).toBe(
      'group said "not this year",\ncall again in 2025',
    );

    const ndjson = await importFile(join(FIXTURES, 'events.ndjson'), {
      timeZone: 'Asia/Almaty',
      fallbackRole: 'media',
      nowMs: NOW,
      hasRate,
    });
    expect(ndjson.filter((r) => r.problem).map(({ line, role, key }) => ({ line, role, key }))).toEqual([
      { line: 8, role: 'media', key: null },
      { line: 10, role: 'media', key: null },
      { line: 12, role: 'arrivals', key: 'ala-airport' },
      { line: 14, role: 'bookings', key: 'b-2024-0004' },
    ]);
  });

  it('gives the same CSV records, eventIds included, when a file is imported twice', async () => {
    const options: ImportOptions = {
      timeZone: 'Asia/Almaty',
      fallbackRole: 'arrivals',
      type: 'ArrivalRecorded',
      nowMs: NOW,
      hasRate,
    };
    const first = await importFile(join(FIXTURES, 'arrivals.csv'), options);
    expect(await importFile(join(FIXTURES, 'arrivals.csv'), options)).toEqual(first);
    const idsOfTwins = first
      .filter((r) => r.line === 7 || r.line === 8)
      .map((r) => JSON.parse(r.value.toString()).eventId);
    expect(new Set(idsOfTwins).size).toBe(2);
  });

  it('sends NDJSON lines with their exact bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'caravan-import-'));
    const bad = Buffer.from([0x7b, 0xff, 0x7d]);
    writeFileSync(join(dir, 'a.jsonl'), Buffer.concat([Buffer.from('\r\n'), bad, Buffer.from('\r\n')]));
    expect(await importFile(join(dir, 'a.jsonl'), { timeZone: 'UTC', fallbackRole: 'arrivals' })).toEqual([
      { line: 2, role: 'arrivals', key: null, value: bad, problem: expect.stringMatching(/^malformed_json: /) },
    ]);
  });

  it('throws a one-line ImportFileError naming the file for whole-file problems', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'caravan-import-'));
    writeFileSync(join(dir, 'bad.csv'), 'type,occurredAt,hotel\n');
    writeFileSync(join(dir, 'data.txt'), '');
    const options: ImportOptions = { timeZone: 'Asia/Almaty', fallbackRole: 'arrivals' };
    await expect(importFile(join(dir, 'bad.csv'), options)).rejects.toThrow(
      new ImportFileError(
        `${join(dir, 'bad.csv')}: unknown CSV column "hotel": no event type maps it (columns: ` +
          `occurredAt, type, eventId, producer, version, bookingId, market, destination, channel, ` +
          `travelers, checkIn, nights, price.amount, price.currency, reason, nationality, port, ` +
          `purpose, platform, campaign, views)`,
      ),
    );
    await expect(importFile(join(dir, 'data.txt'), options)).rejects.toThrow(
      `${join(dir, 'data.txt')}: cannot tell the format from the extension (.ndjson, .jsonl, .json ` +
        `or .csv); give it as ndjson or csv`,
    );
    await expect(importFile(join(dir, 'missing.csv'), options)).rejects.toThrow(
      `${join(dir, 'missing.csv')}: cannot read it (ENOENT)`,
    );
    await expect(importFile(dir, { ...options, format: 'ndjson' })).rejects.toThrow(`${dir}: not a file`);
    expect(await importFile(join(dir, 'data.txt'), { ...options, format: 'ndjson' })).toEqual([]);
  });
});

describe('detectFormat', () => {
  it.each([
    ['events.ndjson', 'ndjson'],
    ['/data/Events.JSONL', 'ndjson'],
    ['export.json', 'ndjson'],
    ['arrivals.CSV', 'csv'],
    ['arrivals.csv.gz', undefined],
    ['notes.txt', undefined],
    ['csv', undefined],
  ])('%s → %s', (path, format) => {
    expect(detectFormat(path)).toBe(format);
  });
});
