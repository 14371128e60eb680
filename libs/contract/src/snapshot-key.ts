// How a snapshot is keyed on the compacted topic and in kpi_latest and kpi_targets (docs/contract §4).
// Imports nothing: the dashboard's bundle takes it as it is.

/** {} is the whole market; otherwise dimension → value. */
export type Scope = Readonly<Record<string, string>>;

/** `*` for the whole market, else `dimension=value` pairs sorted and comma-joined. */
export function scopeKey(scope: Scope): string {
  const entries = Object.entries(scope).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? '*' : entries.map(([k, v]) => `${k}=${v}`).join(',');
}

/** The scope a scope key was written from. */
export function scopeOfKey(key: string): Record<string, string> {
  return key === '*' ? {} : Object.fromEntries(key.split(',').map((kv) => kv.split('=') as [string, string]));
}

/** The compacted topic's record key: kpi|window|scope. */
export function snapshotKey(kpi: string, window: string, scope: Scope): string {
  return `${kpi}|${window}|${scopeKey(scope)}`;
}
