/** `npm run migrate`: creates the database if missing and applies pending migrations. */
import { ConfigError, loadConfig } from '@caravan/config';
import { createPool, ensureDatabase, migrate, migrationLabel, redactUrl } from '@caravan/database';

async function main(): Promise<void> {
  const config = loadConfig('tool');
  await ensureDatabase(config.database.url);
  const pool = createPool({ url: config.database.url, poolSize: 1, applicationName: 'caravan-migrate' });
  try {
    const report = await migrate(pool);
    const names = report.applied.map(migrationLabel);
    process.stdout.write(
      `${redactUrl(config.database.url)}: ${names.length ? `applied ${names.join(', ')}` : 'up to date'} (${report.alreadyApplied} already applied)\n`,
    );
  } finally {
    await pool.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`caravan migrate: ${error instanceof ConfigError ? error.message : (error as Error).message}\n`);
  process.exit(1);
});
