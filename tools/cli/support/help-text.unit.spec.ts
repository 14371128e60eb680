import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '@caravan/config';
import { csvColumnsSummary } from '@caravan/importer';
import { CSV_COLUMNS_SUMMARY } from './help-text';
import { packageVersion } from './package-version';

// The help says these without loading their sources: they must stay what the sources say.
describe("the CLI help's copies of the application's names", () => {
  it("shows the importer's CSV column mapping", () => {
    expect(CSV_COLUMNS_SUMMARY).toBe(csvColumnsSummary());
  });

  it('reads the version from the package.json projectRoot() finds', () => {
    expect(packageVersion()).toBe(
      (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version,
    );
  });
});
