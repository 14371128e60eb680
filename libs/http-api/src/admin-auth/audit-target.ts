import { redactTokens } from './admin-token';

const MAX_KEYS = 20;
const MAX_TEXT = 100;

/**
 * What an admin request was about, for the audit trail: path parameters, query and body keys with
 * short scalar values; a list is counted, a nested object only named (no record contents), and
 * anything that looks like a token is redacted.
 */
export function auditTarget(parts: {
  params?: Record<string, unknown>;
  query?: unknown;
  body?: unknown;
}): Record<string, unknown> {
  const target: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(parts)) {
    const summary = summarise(value);
    if (summary !== undefined) target[name] = summary;
  }
  return target;
}

function summarise(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value).slice(0, MAX_KEYS);
  if (entries.length === 0) return undefined;
  return Object.fromEntries(entries.map(([k, v]) => [redactTokens(k).slice(0, MAX_TEXT), scalar(v)]));
}

function scalar(value: unknown): unknown {
  if (typeof value === 'string') return redactTokens(value).slice(0, MAX_TEXT);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  if (Array.isArray(value)) return `[${value.length} items]`;
  return '{…}';
}
