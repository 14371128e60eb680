/**
 * Strings PostgreSQL cannot store: U+0000 (refused in text and jsonb) and lone UTF-16 surrogates
 * (not Unicode scalar values: jsonb refuses their escapes, and UTF-8 cannot encode them). JSON
 * text can carry both only as `\u` escapes (raw bytes would be invalid JSON or invalid UTF-8), so
 * a record whose text has no such escape needs no walk at all.
 */
const SUSPECT_ESCAPE = /\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})/;

/**
 * Paths (`producer`, `data.reason`, `data.<key>` for a key) of the strings and keys that cannot be
 * stored, at most `max`.
 */
export function illFormedStrings(json: string, value: unknown, max = 5): string[] {
  if (!SUSPECT_ESCAPE.test(json)) return [];
  const found: string[] = [];
  walk(value, [], found, max);
  return found;
}

function walk(value: unknown, path: string[], found: string[], max: number): void {
  if (found.length >= max) return;
  if (typeof value === 'string') {
    const problem = problemOf(value);
    if (problem) found.push(`${pathText(path)}: ${problem}`);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(item, [...path, String(i)], found, max));
    return;
  }
  for (const [key, member] of Object.entries(value)) {
    const problem = problemOf(key);
    if (problem && found.length < max) found.push(`${pathText([...path, key])}: the key ${problem}`);
    walk(member, [...path, key], found, max);
  }
}

/** Why PostgreSQL could not store `text` (U+0000, a lone surrogate), or undefined when it can. */
export function unstorableText(text: string): string | undefined {
  return problemOf(text);
}

function problemOf(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains U+0000';
  if (!text.isWellFormed()) return 'contains a lone surrogate (not well-formed Unicode)';
  return undefined;
}

const pathText = (path: string[]): string => (path.length === 0 ? '(root)' : path.join('.'));

// C0 and C1 controls, DEL, the line and paragraph separators, and lone surrogates.
const UNPRINTABLE =
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text safe to store, log and send as a header: every control character and lone surrogate
 * written as a `\uXXXX` escape, so a rejection's detail can always be written.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
