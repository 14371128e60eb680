import type { KpiSnapshot } from '@caravan/contract';
import { fingerprint } from './build-snapshots';
import { snapshotKey } from '@caravan/contract';

export type Published = {
  /** Fingerprint of the snapshot last published under each key. */
  last: ReadonlyMap<string, string>;
  /** Keys last published while the projections were not level. */
  provisional: ReadonlySet<string>;
  /** Whether every projection read has applied exactly up to the snapshots' position. */
  level: boolean;
};

/** A computed snapshot with what the rule compares, each worked out once per run. */
export type Keyed = { snapshot: KpiSnapshot; key: string; print: string };

export function keyed(snapshot: KpiSnapshot): Keyed {
  return { snapshot, key: snapshotKey(snapshot.kpi, snapshot.window, snapshot.scope), print: fingerprint(snapshot) };
}

/**
 * The snapshots a run publishes: those whose fingerprint differs from the last published under
 * their key, then, once the projections are level, the provisional ones that did not change (their
 * value may have shown events beyond the position they carried: published again at the level one).
 */
export function changesToPublish(snapshots: readonly Keyed[], published: Published): Keyed[] {
  const changed = snapshots.filter((s) => published.last.get(s.key) !== s.print);
  if (published.level && published.provisional.size > 0) {
    const changedKeys = new Set(changed.map((s) => s.key));
    changed.push(...snapshots.filter((s) => published.provisional.has(s.key) && !changedKeys.has(s.key)));
  }
  return changed;
}

/** changesToPublish over plain snapshots. */
export function snapshotsToPublish(snapshots: KpiSnapshot[], published: Published): KpiSnapshot[] {
  return changesToPublish(snapshots.map(keyed), published).map((s) => s.snapshot);
}

/** The provisional keys once `publishedKeys` went out: none at a level position, else the earlier ones and these. */
export function provisionalAfter(
  provisional: ReadonlySet<string>,
  publishedKeys: readonly string[],
  level: boolean,
): Set<string> {
  return level ? new Set() : new Set([...provisional, ...publishedKeys]);
}
