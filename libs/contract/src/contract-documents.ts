import { z } from 'zod';
import { envelopeSchema, MAX_RECORD_BYTES } from './envelope';
import { kpiSnapshotSchema } from './kpi-snapshot';
import { type EventRegistry, eventRegistry } from './registry';
import { DLQ_HEADERS, REJECTION_CODES } from './rejection';
import { DEFAULT_TOPICS, type TopicRole } from './topics';

const SCHEMA_DIR = 'docs/contract/schemas';
/** The contract's version (docs/contract/CHANGELOG.md says what each changed). */
export const CONTRACT_VERSION = '1.2.0';

/** The envelope of `type`@`version`, with its data schema in place of the generic object. */
export function envelopeOf(registry: EventRegistry, type: string, version: number) {
  const data = registry.get(type)?.versions[version - 1];
  if (!data) throw new Error(`no schema for ${type}@${version}`);
  return envelopeSchema.extend({ type: z.literal(type), version: z.literal(version), data });
}

function jsonSchema(schema: z.ZodType, id: string, title: string): Record<string, unknown> {
  return { $id: id, title, ...z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' }) };
}

/**
 * Every published contract file, path → content, generated from the zod schemas the pipeline
 * validates with: a JSON Schema per event type and version, the snapshot's, and AsyncAPI 3.
 */
export function contractDocuments(registry: EventRegistry = eventRegistry): Record<string, string> {
  const files: Record<string, string> = {};
  const messages: Record<string, unknown> = {};
  for (const definition of registry.types()) {
    definition.versions.forEach((_, i) => {
      const version = i + 1;
      const name = `${definition.type}.v${version}`;
      files[`${SCHEMA_DIR}/${name}.json`] = pretty(
        jsonSchema(envelopeOf(registry, definition.type, version), `${name}.json`, name),
      );
      messages[name] = {
        name: definition.type,
        title: `${definition.type} version ${version}`,
        contentType: 'application/json',
        summary:
          `Record key: data.${definition.keyField} (by convention); ` +
          `value: at most ${MAX_RECORD_BYTES} bytes of UTF-8 JSON.`,
        payload: { $ref: `./schemas/${name}.json` },
      };
    });
  }
  files[`${SCHEMA_DIR}/KpiSnapshot.json`] = pretty(jsonSchema(kpiSnapshotSchema, 'KpiSnapshot.json', 'KpiSnapshot'));
  files['docs/contract/asyncapi.json'] = pretty(asyncApi(registry, messages));
  return files;
}

function asyncApi(registry: EventRegistry, messages: Record<string, unknown>): Record<string, unknown> {
  const messagesOf = (role: string) =>
    Object.fromEntries(
      registry
        .types()
        .filter((d) => d.topic === role)
        .flatMap((d) => d.versions.map((_, i) => `${d.type}.v${i + 1}`))
        .map((name) => [name, { $ref: `#/components/messages/${name}` }]),
    );
  const inbound = (role: TopicRole, description: string) => ({
    address: DEFAULT_TOPICS[role],
    description,
    messages: messagesOf(role),
  });
  const headerSchema = {
    type: 'object',
    required: Object.values(DLQ_HEADERS),
    properties: {
      [DLQ_HEADERS.code]: { type: 'string', enum: [...REJECTION_CODES] },
      [DLQ_HEADERS.detail]: {
        type: 'string',
        description:
          'why (printable: control characters written as \\uXXXX); for `schema`, the failing paths; ' +
          "for `unstorable`, the database's reason",
      },
      [DLQ_HEADERS.topic]: { type: 'string' },
      [DLQ_HEADERS.partition]: { type: 'string', description: 'decimal' },
      [DLQ_HEADERS.offset]: { type: 'string', description: 'decimal' },
    },
  };
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Caravan tourism events',
      version: CONTRACT_VERSION,
      description:
        'Inbound topics producers write to, the dead-letter topic of rejected records, ' +
        'and the KPI snapshots Caravan publishes. ' +
        'Generated from the zod schemas the pipeline validates with (`npm run contract`). ' +
        'Every record value is one UTF-8 JSON object of at most 64 KiB; ' +
        'every string in it, keys included, is well-formed Unicode without U+0000. ' +
        'Record batches may be compressed with gzip, snappy, lz4 or zstd, ' +
        'and may be written inside Kafka transactions: ' +
        'Caravan reads with read_committed (aborted records are never ingested). ' +
        '1.1.0 (2026-11-30): bounds: occurredAt from 1970-01-01 on with an offset of at most ±15:59, ' +
        'views at most 1,000,000,000, a price at most 100,000,000.00, ' +
        'no U+0000 and no lone surrogate in any string (records beyond are `schema` rejections); ' +
        'rejection code `unstorable`. ' +
        '1.2.0 (2026-11-30): the snapshot topic is written in Kafka transactions by one leading publisher ' +
        "(read committed); a key's position never decreases. See docs/contract/CHANGELOG.md.",
    },
    defaultContentType: 'application/json',
    channels: {
      bookings: inbound('bookings', 'Bookings and their cancellations, keyed by bookingId.'),
      arrivals: inbound('arrivals', 'Border and airport arrivals.'),
      media: inbound('media', 'Social-media views gained per campaign since the previous report, keyed by campaign.'),
      dlq: {
        address: DEFAULT_TOPICS.dlq,
        description:
          'Every rejected inbound record, its value byte-identical to what was consumed, ' +
          'with headers saying why and where from.',
        messages: { Rejected: { $ref: '#/components/messages/Rejected' } },
      },
      snapshots: {
        address: DEFAULT_TOPICS.snapshots,
        description:
          'Rolling KPI snapshots, log-compacted, keyed `kpi|window|scope`; ' +
          'written in Kafka transactions by the one leading publisher ' +
          "(read with isolation.level=read_committed, every client's default); a key's position never decreases.",
        messages: { KpiSnapshot: { $ref: '#/components/messages/KpiSnapshot' } },
      },
    },
    operations: {
      produceBookings: { action: 'receive', channel: { $ref: '#/channels/bookings' } },
      produceArrivals: { action: 'receive', channel: { $ref: '#/channels/arrivals' } },
      produceMedia: { action: 'receive', channel: { $ref: '#/channels/media' } },
      publishRejected: { action: 'send', channel: { $ref: '#/channels/dlq' } },
      publishSnapshots: { action: 'send', channel: { $ref: '#/channels/snapshots' } },
    },
    components: {
      messages: {
        ...messages,
        Rejected: {
          name: 'Rejected',
          contentType: 'application/octet-stream',
          summary: 'The original record value, unchanged.',
          headers: headerSchema,
          payload: { description: 'the original bytes' },
        },
        KpiSnapshot: {
          name: 'KpiSnapshot',
          contentType: 'application/json',
          payload: { $ref: './schemas/KpiSnapshot.json' },
        },
      },
    },
  };
}

function pretty(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
