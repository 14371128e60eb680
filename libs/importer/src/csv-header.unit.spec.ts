import { readHeader } from './csv-header';
import { ImportFileError } from './import-file-error';

const header = (cells: string[], error?: string) => ({
  line: 1,
  cells,
  raw: cells.join(','),
  ...(error ? { error } : {}),
});

describe('readHeader', () => {
  it('indexes the trimmed column names', () => {
    const { columns, indexOf } = readHeader(header(['type', ' occurredAt ', 'port']), undefined);
    expect(columns).toEqual(['type', 'occurredAt', 'port']);
    expect([...indexOf]).toEqual([
      ['type', 0],
      ['occurredAt', 1],
      ['port', 2],
    ]);
  });

  it('accepts columns of any type, whatever the rows will be', () => {
    expect(() =>
      readHeader(header(['occurredAt', 'nationality', 'port', 'purpose', 'travelers', 'views']), 'ArrivalRecorded'),
    ).not.toThrow();
  });

  it.each([
    ['an empty file', undefined, undefined, 'the CSV file is empty: its first row must name the columns'],
    [
      'a malformed header',
      header(['type', 'x'], 'text after the closing quote of a field'),
      undefined,
      'the CSV header (line 1) is malformed: text after the closing quote of a field',
    ],
    [
      'a column without a name',
      header(['type', 'occurredAt', '']),
      undefined,
      'column 3 of the CSV header has no name',
    ],
    [
      'a column named twice',
      header(['type', 'occurredAt', 'port', 'port']),
      undefined,
      'the CSV header names column "port" twice',
    ],
    ['no occurredAt', header(['type', 'port']), undefined, 'the CSV header has no "occurredAt" column'],
    [
      'no type and none given',
      header(['occurredAt', 'port']),
      undefined,
      'the CSV header has no "type" column and no event type was given for its rows',
    ],
    [
      'an unknown given type',
      header(['occurredAt', 'port']),
      'Arrival',
      'unknown event type "Arrival": expected one of BookingCreated, BookingCancelled, ' +
        'ArrivalRecorded, MediaViewsReported',
    ],
    [
      'a given type named like an Object property',
      header(['occurredAt']),
      'constructor',
      'unknown event type "constructor": expected one of BookingCreated, BookingCancelled, ' +
        'ArrivalRecorded, MediaViewsReported',
    ],
    [
      'a given type missing required columns',
      header(['occurredAt', 'port', 'travelers']),
      'ArrivalRecorded',
      'ArrivalRecorded rows need the CSV column(s) nationality, purpose',
    ],
  ])('rejects %s with one line', (_, row, type, message) => {
    expect(() => readHeader(row, type)).toThrow(new ImportFileError(message));
  });

  it('names an unknown column and lists the known ones', () => {
    expect(() => readHeader(header(['type', 'occurredAt', 'Port']), undefined)).toThrow(
      /^unknown CSV column "Port": no event type maps it \(columns: occurredAt, type, eventId, producer, version, bookingId, .*, views\)$/,
    );
  });

  it('keeps a message to one line even when the column name holds a newline', () => {
    let message = '';
    try {
      readHeader(header(['type', 'occurredAt', 'a\nb']), undefined);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^unknown CSV column "a\\nb"/);
    expect(message).not.toContain('\n');
    expect(new ImportFileError('two\n  lines').message).toBe('two lines');
  });
});
