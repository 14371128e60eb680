import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { envelopeSchema, eventRegistry } from '@caravan/contract';
import { z } from 'zod';
import { CSV_COLUMNS, csvColumnsSummary, ENVELOPE_COLUMNS, INTEGER_COLUMNS, knownColumns } from './csv-columns';
import { csvColumnsMarkdown } from './csv-columns-markdown';

/** Dotted paths of an object schema's leaves, split by whether they may be left out. */
function leaves(schema: z.ZodType, prefix = ''): { required: string[]; optional: string[] } {
  const out = { required: [] as string[], optional: [] as string[] };
  if (!(schema instanceof z.ZodObject)) return out;
  for (const [name, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
    const optional = field instanceof z.ZodOptional;
    const inner = optional ? (field as z.ZodOptional<z.ZodType>).unwrap() : field;
    const path = `${prefix}${name}`;
    if (inner instanceof z.ZodObject) {
      const nested = leaves(inner, `${path}.`);
      out.required.push(...nested.required);
      out.optional.push(...nested.optional);
    } else (optional ? out.optional : out.required).push(path);
  }
  return out;
}

describe('CSV_COLUMNS', () => {
  it('maps exactly the event types of the registry', () => {
    expect(Object.keys(CSV_COLUMNS).sort()).toEqual(
      eventRegistry
        .types()
        .map((d) => d.type)
        .sort(),
    );
  });

  it.each(Object.keys(CSV_COLUMNS))(
    'has one column per field of the current %s schema, required as the schema requires it',
    (type) => {
      const definition = eventRegistry.get(type);
      const schema = definition?.versions[definition.versions.length - 1];
      expect(schema).toBeDefined();
      expect(CSV_COLUMNS[type]).toEqual(leaves(schema as z.ZodType));
    },
  );

  it('names the envelope fields, and takes integers where the schemas want them', () => {
    expect([...ENVELOPE_COLUMNS.required, ...ENVELOPE_COLUMNS.optional].sort()).toEqual(
      Object.keys(envelopeSchema.shape)
        .filter((k) => k !== 'data')
        .sort(),
    );
    expect([...INTEGER_COLUMNS].sort()).toEqual(['nights', 'travelers', 'version', 'views']);
    expect(knownColumns()).toEqual([
      ...['occurredAt', 'type', 'eventId', 'producer', 'version'],
      ...[
        'bookingId',
        'market',
        'destination',
        'channel',
        'travelers',
        'checkIn',
        'nights',
        'price.amount',
        'price.currency',
      ],
      ...['reason', 'nationality', 'port', 'purpose', 'platform', 'campaign', 'views'],
    ]);
  });

  it('sums itself up for --help', () => {
    expect(csvColumnsSummary()).toBe(
      [
        'every row: occurredAt; optional type, eventId, producer, version',
        'BookingCreated: bookingId, market, destination, channel, travelers, checkIn, nights, ' +
          'price.amount, price.currency',
        'BookingCancelled: bookingId; optional reason',
        'ArrivalRecorded: nationality, port, purpose, travelers; optional destination',
        'MediaViewsReported: platform, campaign, market, views',
      ].join('\n'),
    );
  });

  it('is what docs/import.md shows (regenerate the part between the csv-columns markers)', () => {
    const doc = readFileSync(join(__dirname, '../../../docs/import.md'), 'utf8');
    const between = /<!-- csv-columns:start -->\n([\s\S]*)<!-- csv-columns:end -->/.exec(doc);
    expect(between?.[1]).toBe(csvColumnsMarkdown());
  });
});
