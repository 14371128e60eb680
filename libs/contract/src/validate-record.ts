import type { z } from 'zod';
import { canonicalJson, sha256Hex } from './canonical-json';
import { envelopeSchema, FUTURE_TOLERANCE_MS, MAX_RECORD_BYTES } from './envelope';
import { type EventRegistry, eventRegistry } from './registry';
import type { Rejection, RejectionCode } from './rejection';
import { illFormedStrings, printable } from './well-formed';

/** An accepted record: the envelope as sent (data in its own version) and its content hash. */
export type ValidEvent = {
  eventId: string;
  type: string;
  version: number;
  occurredAt: string;
  occurredAtMs: number;
  producer: string;
  data: Record<string, unknown>;
  /** sha256 of the canonical JSON of everything but eventId: equal hash, same content. */
  contentHash: string;
};

/** A rejection names the eventId when it is known (a record the store refused after validation passed it). */
export type ValidationResult = { ok: true; event: ValidEvent } | { ok: false; rejection: Rejection; eventId?: string };

export type ValidationContext = {
  nowMs: number;
  /** Whether a reference rate for `currency` is valid at `atMs`. */
  hasRate: (currency: string, atMs: number) => boolean;
  registry?: EventRegistry;
};

const MAX_DETAIL = 1_000;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decides, without I/O, whether one inbound record value is an acceptable event, and why not. */
export function validateRecord(value: Uint8Array | null, context: ValidationContext): ValidationResult {
  const registry = context.registry ?? eventRegistry;
  if (value === null || value.length === 0) return reject('malformed_json', 'empty record value');
  if (value.length > MAX_RECORD_BYTES) return reject('too_large', `${value.length} bytes, at most ${MAX_RECORD_BYTES}`);

  let json: unknown;
  let text: string;
  try {
    text = utf8.decode(value);
    json = JSON.parse(text);
  } catch (error) {
    return reject('malformed_json', (error as Error).message);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    return reject('malformed_json', 'the value is not a JSON object');
  // Before the schemas: a string PostgreSQL cannot store is refused wherever it is, key or value.
  const illFormed = illFormedStrings(text, json);
  if (illFormed.length > 0) return reject('schema', illFormed.join('; '));

  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) return reject('schema', describe(envelope.error));
  const { eventId, type, version, occurredAt, producer, data } = envelope.data;

  const definition = registry.get(type);
  if (!definition) return reject('unknown_type', `no event type ${JSON.stringify(type)}`);
  const schema = definition.versions[version - 1];
  if (!schema)
    return reject('unknown_version', `${type} has versions 1 to ${definition.versions.length}, not ${version}`);

  const parsed = schema.safeParse(data);
  if (!parsed.success) return reject('schema', describe(parsed.error, 'data'));

  const occurredAtMs = Date.parse(occurredAt);
  const currency = definition.currency?.(parsed.data);
  if (currency !== undefined && !context.hasRate(currency, occurredAtMs)) {
    return reject('unknown_currency', `no reference rate for ${currency} at ${occurredAt}`);
  }
  if (occurredAtMs > context.nowMs + FUTURE_TOLERANCE_MS) {
    return reject(
      'future_event',
      `occurredAt ${occurredAt} is more than 24 h ahead of ${new Date(context.nowMs).toISOString()}`,
    );
  }
  const contentHash = sha256Hex(canonicalJson({ type, version, occurredAt, producer, data }));
  return {
    ok: true,
    event: { eventId: eventId.toLowerCase(), type, version, occurredAt, occurredAtMs, producer, data, contentHash },
  };
}

/** A rejection whose detail can always be stored and sent: printable, at most MAX_DETAIL characters. */
export function rejection(code: RejectionCode, detail: string): Rejection {
  const safe = printable(detail);
  if (safe.length <= MAX_DETAIL) return { code, detail: safe };
  // Never cut a surrogate pair in two.
  const cut = safe.slice(0, MAX_DETAIL - 1).replace(/[\ud800-\udbff]$/, '');
  return { code, detail: `${cut}…` };
}

function reject(code: RejectionCode, detail: string): ValidationResult {
  return { ok: false, rejection: rejection(code, detail) };
}

/** The failing paths and their messages, e.g. `data.travelers: Too small: expected number to be >=1`. */
function describe(error: z.ZodError, prefix?: string): string {
  return error.issues
    .map((issue) => {
      const path = [...(prefix ? [prefix] : []), ...issue.path.map(String)].join('.') || '(root)';
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}
