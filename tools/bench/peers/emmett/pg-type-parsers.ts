import { setNodePostgresTypeParser } from '@event-driven-io/dumbo';
import { types } from 'pg';

// int8, json, jsonb: dumbo (under Emmett) sets these parsers on the process-wide `pg` module.
const DUMBO_TYPES = [20, 114, 3802] as const;

/**
 * Runs `work` with the parsers Emmett expects (int8 as BigInt, its JSON codec), then puts back the
 * ones the rest of this process had: the bench runs other code on the same `pg` module afterwards.
 */
export async function withEmmettTypeParsers<T>(work: () => Promise<T>): Promise<T> {
  const saved = DUMBO_TYPES.map(
    (oid) => [oid, types.getTypeParser(oid, 'text') as (value: string) => unknown] as const,
  );
  // Forced: dumbo sets them once per process, and a second run would otherwise find them restored.
  setNodePostgresTypeParser({ force: true });
  try {
    return await work();
  } finally {
    for (const [oid, parse] of saved) types.setTypeParser(oid, 'text', parse);
  }
}
