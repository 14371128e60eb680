import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '@caravan/config';
import { CONTRACT_VERSION, contractDocuments } from './contract-documents';
import { KPIS, WINDOWS } from './vocabulary';
import { eventRegistry } from './registry';
import { DLQ_HEADERS, REJECTION_CODES } from './rejection';

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
    expect(
      Object.values(asyncapi.channels)
        .map((c) => (c as { address: string }).address)
        .sort(),
    ).toEqual(['tourism.arrivals', 'tourism.bookings', 'tourism.dlq', 'tourism.kpi-snapshots', 'tourism.media']);
    for (const type of ['BookingCreated', 'BookingCancelled', 'ArrivalRecorded', 'MediaViewsReported']) {
      const schema = JSON.parse(documents[`docs/contract/schemas/${type}.v1.json`] as string);
      expect(schema.properties.type.const).toBe(type);
      expect(schema.required).toEqual(
        expect.arrayContaining(['eventId', 'type', 'version', 'occurredAt', 'producer', 'data']),
      );
    }
  });

  it("the contract's text (docs/contract/README.md) names every event type, rejection code, KPI, window and DLQ header, and the current version", () => {
    const text = readFileSync(join(projectRoot(), 'docs', 'contract', 'README.md'), 'utf8');
    const named = [
      ...eventRegistry.types().map((t) => t.type),
      ...REJECTION_CODES,
      ...KPIS,
      ...WINDOWS,
      ...Object.values(DLQ_HEADERS),
    ];
    expect(named.filter((name) => !text.includes(`\`${name}\``))).toEqual([]);
    expect(text).toContain(`version **${CONTRACT_VERSION}**`);
  });
});
