import { csvEnvelope, type CsvEnvelopeContext } from './csv-envelope';
import { readHeader } from './csv-header';

const FIXED_ID = '11111111-1111-4111-8111-111111111111';

function envelopeOf(columns: string[], cells: string[], options: Partial<CsvEnvelopeContext> = {}) {
  const derived: Array<[string, Record<string, string>]> = [];
  const context: CsvEnvelopeContext = {
    header: readHeader({ line: 1, cells: columns, raw: columns.join(',') }, options.fixedType),
    fixedType: undefined,
    producer: 'caravan-import',
    timeZone: 'Asia/Almaty',
    deriveEventId: (type, row) => {
      derived.push([type, row]);
      return FIXED_ID;
    },
    ...options,
  };
  return { envelope: csvEnvelope(cells, context), derived };
}

describe('csvEnvelope', () => {
  it('maps BookingCreated, building price from the dotted columns and numbers from integer cells', () => {
    const columns = [
      'type',
      'occurredAt',
      'bookingId',
      'market',
      'destination',
      'channel',
      'travelers',
      'checkIn',
      'nights',
      'price.amount',
      'price.currency',
    ];
    const cells = [
      'BookingCreated',
      '2024-02-20T12:00:00+06:00',
      'bk-1',
      'CN',
      'almaty',
      'ota',
      '2',
      '2024-04-01',
      '5',
      '8400.00',
      'CNY',
    ];
    expect(envelopeOf(columns, cells).envelope).toEqual({
      eventId: FIXED_ID,
      type: 'BookingCreated',
      version: 1,
      occurredAt: '2024-02-20T12:00:00+06:00',
      producer: 'caravan-import',
      data: {
        bookingId: 'bk-1',
        market: 'CN',
        destination: 'almaty',
        channel: 'ota',
        travelers: 2,
        checkIn: '2024-04-01',
        nights: 5,
        price: { amount: '8400.00', currency: 'CNY' },
      },
    });
  });

  it('maps BookingCancelled with and without its optional reason', () => {
    const columns = ['type', 'occurredAt', 'bookingId', 'reason'];
    expect(
      envelopeOf(columns, ['BookingCancelled', '2024-03-10T17:00:00+05:00', 'bk-1', 'ill, moved']).envelope.data,
    ).toEqual({ bookingId: 'bk-1', reason: 'ill, moved' });
    expect(envelopeOf(columns, ['BookingCancelled', '2024-03-10T17:00:00+05:00', 'bk-1', '']).envelope.data).toEqual({
      bookingId: 'bk-1',
    });
  });

  it('maps ArrivalRecorded, ignoring cells of columns that belong to other types', () => {
    const columns = [
      'type',
      'occurredAt',
      'nationality',
      'port',
      'purpose',
      'travelers',
      'destination',
      'bookingId',
      'views',
    ];
    const cells = ['ArrivalRecorded', '2024-02-15 10:00', 'CN', 'ala-airport', 'tourism', '3', 'almaty', 'stray', '9'];
    expect(envelopeOf(columns, cells).envelope).toEqual({
      eventId: FIXED_ID,
      type: 'ArrivalRecorded',
      version: 1,
      occurredAt: '2024-02-15T10:00:00+06:00',
      producer: 'caravan-import',
      data: { nationality: 'CN', port: 'ala-airport', purpose: 'tourism', travelers: 3, destination: 'almaty' },
    });
  });

  it('maps MediaViewsReported, with the envelope columns given in cells', () => {
    const columns = ['eventId', 'version', 'producer', 'occurredAt', 'platform', 'campaign', 'market', 'views'];
    const cells = [
      '0b9d6c2e-4f6a-4a8e-9c1e-2f1d3b6a7c10',
      '1',
      'media-team',
      '2024-06-30T23:00:00+05:00',
      'douyin',
      'visit-kz',
      'CN',
      '1250000',
    ];
    const { envelope, derived } = envelopeOf(columns, cells, { fixedType: 'MediaViewsReported' });
    expect(envelope).toEqual({
      eventId: '0b9d6c2e-4f6a-4a8e-9c1e-2f1d3b6a7c10',
      type: 'MediaViewsReported',
      version: 1,
      occurredAt: '2024-06-30T23:00:00+05:00',
      producer: 'media-team',
      data: { platform: 'douyin', campaign: 'visit-kz', market: 'CN', views: 1250000 },
    });
    expect(derived).toEqual([]);
  });

  it('leaves cells that are not integers as text, and omits empty cells, for the pipeline to reject', () => {
    const columns = ['type', 'occurredAt', 'version', 'nationality', 'port', 'purpose', 'travelers'];
    const { envelope } = envelopeOf(columns, ['ArrivalRecorded', '', 'two', 'CN', '', 'tourism', '3.5']);
    expect(envelope).toEqual({
      eventId: FIXED_ID,
      type: 'ArrivalRecorded',
      version: 'two',
      occurredAt: undefined,
      producer: 'caravan-import',
      data: { nationality: 'CN', purpose: 'tourism', travelers: '3.5' },
    });
    expect(envelopeOf(columns, ['ArrivalRecorded', 'x', '-3', 'CN', 'p', 'tourism', '-0012']).envelope).toMatchObject({
      version: -3,
      data: { travelers: -12 },
    });
  });

  it('puts every data cell of a row of unknown type into data, so the DLQ shows what was written', () => {
    const columns = ['type', 'occurredAt', 'destination', 'travelers', 'price.amount', 'bookingId'];
    const { envelope } = envelopeOf(columns, ['HotelStay', '2024-06-01T14:00:00+05:00', 'almaty', '2', '10.00', '']);
    expect(envelope).toMatchObject({
      type: 'HotelStay',
      data: { destination: 'almaty', travelers: 2, price: { amount: '10.00' } },
    });
  });

  it('takes the type cell when present and the fixed type when the cell is empty', () => {
    const columns = ['type', 'occurredAt', 'bookingId'];
    expect(envelopeOf(columns, ['', 't', 'bk-1'], { fixedType: 'BookingCancelled' }).envelope.type).toBe(
      'BookingCancelled',
    );
    expect(envelopeOf(columns, ['BookingCancelled', 't', 'bk-1'], { fixedType: 'ArrivalRecorded' }).envelope.type).toBe(
      'BookingCancelled',
    );
    expect(envelopeOf(columns, ['', 't', 'bk-1']).envelope.type).toBeUndefined();
  });

  it('derives the eventId from the type and the non-empty cells by column, eventId and type left out', () => {
    const columns = ['type', 'eventId', 'occurredAt', 'producer', 'bookingId', 'reason'];
    const { derived } = envelopeOf(columns, ['BookingCancelled', '', '2024-03-10 17:00', '', 'bk-1', '']);
    expect(derived).toEqual([['BookingCancelled', { occurredAt: '2024-03-10 17:00', bookingId: 'bk-1' }]]);
  });
});
