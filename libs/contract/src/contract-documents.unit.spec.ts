import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '@caravan/config';
import { contractDocuments } from './contract-documents';

describe('the published contract (docs/contract)', () => {
  const documents = contractDocuments();

  it.each(Object.keys(documents))('%s is up to date with the zod schemas (npm run contract)', (path) => {
    const file = join(projectRoot(), path);
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(documents[path]);
  });

  it('has a JSON Schema per event type and an AsyncAPI 3 document naming every topic', () => {
    const asyncapi = JSON.parse(documents['docs/contract/asyncapi.json'] as string);
    expect(asyncapi.asyncapi).toBe('3.0.0');
    expect(Object.values(asyncapi.channels).map((c) => (c as { address: string }).address).sort()).toEqual(
      ['tourism.arrivals', 'tourism.bookings', 'tourism.dlq', 'tourism.kpi-snapshots', 'tourism.media'],
    );
    for (const type of ['BookingCreated', 'BookingCancelled', 'ArrivalRecorded', 'MediaViewsReported']) {
      const schema = JSON.parse(documents[`docs/contract/schemas/${type}.v1.json`] as string);
      expect(schema.properties.type.const).toBe(type);
      expect(schema.required).toEqual(expect.arrayContaining(['eventId', 'type', 'version', 'occurredAt', 'producer', 'data']));
    }
  });
});
