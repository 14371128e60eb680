import type { Pool } from 'pg';
import { isDeepStrictEqual } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { snapshotKey } from '@caravan/contract';
import type { ExpectedKpi } from '@caravan/simulator';

export type Comparison = {
  key: string;
  expected: ExpectedKpi;
  published: Record<string, unknown> | undefined;
  equal: boolean;
};

const FIELDS = ['value', 'previous', 'changePct', 'target', 'progressPct'] as const;

function sameFigures(expected: ExpectedKpi, published: Record<string, unknown> | undefined): boolean {
  if (!published) return false;
  // jsonb does not keep key order: compare structurally, null and absent alike.
  return FIELDS.every((f) => isDeepStrictEqual(expected[f] ?? null, published[f] ?? null));
}

/** The expected ytd figures beside the latest published snapshots of the same keys. */
export async function compareWithPublished(pool: Pool, expected: ExpectedKpi[]): Promise<Comparison[]> {
  const keys = expected.map((e) => snapshotKey(e.kpi, e.window, e.scope));
  const { rows } = await pool.query<{ key: string; snapshot: Record<string, unknown> }>(
    'SELECT key, snapshot FROM kpi_latest WHERE key = ANY($1::text[])',
    [keys],
  );
  const byKey = new Map(rows.map((r) => [r.key, r.snapshot]));
  return expected.map((e, i) => {
    const published = byKey.get(keys[i] as string);
    return { key: keys[i] as string, expected: e, published, equal: sameFigures(e, published) };
  });
}

/** Polls until every expected figure is published as expected, or the time is up; the last comparison. */
export async function waitForPublished(
  pool: Pool,
  expected: ExpectedKpi[],
  timeoutMs: number,
  onPoll: (c: Comparison[]) => void,
): Promise<Comparison[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const comparison = await compareWithPublished(pool, expected);
    onPoll(comparison);
    if (comparison.every((c) => c.equal) || Date.now() > deadline) return comparison;
    await delay(1_000);
  }
}

/** The figures a reader compares with the article: the whole market and the Chinese market. */
export function isHeadline(e: Pick<ExpectedKpi, 'scope'>): boolean {
  const entries = Object.entries(e.scope);
  return entries.length === 0 || (entries.length === 1 && entries[0]?.[1] === 'CN');
}
