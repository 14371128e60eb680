import { eventRegistry } from '@caravan/contract';

/**
 * A projection folded inside PostgreSQL reads its events' data as stored, not through the
 * upcasters: it is written for one version of its types. Refusing to start when the registry has
 * moved on makes a new version an error to fix here, never data read under the wrong schema.
 */
export function assertSqlFoldVersion(projection: string, types: readonly string[], version: number): void {
  for (const type of types) {
    const current = eventRegistry.currentVersion(type);
    if (current !== version) {
      throw new Error(
        `${projection} folds ${type} version ${version} inside PostgreSQL, ` +
          `but the current version is ${current}: teach its SQL the new version`,
      );
    }
  }
}
