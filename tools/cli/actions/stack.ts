import { migrationLabel, redactUrl } from '@caravan/database';
import { describeStatus, resetBrokerData, stackDown, stackIsUp, stackStatus, stackUp } from '@caravan/stack';
import { cliContext } from '../support/context';
import { withDatabase } from '../support/database-session';

/** `caravan stack up`. */
export async function stackUpCommand(): Promise<void> {
  const { config, log } = cliContext();
  await stackUp(config, log);
  describeStatus(await stackStatus(config)).forEach(log);
}

/** `caravan stack down`. */
export async function stackDownCommand(): Promise<void> {
  const { config, log } = cliContext();
  await stackDown(config, log);
}

/** `caravan stack status` (exit 3 when a part is down). */
export async function stackStatusCommand(): Promise<void> {
  const { config, log } = cliContext();
  const status = await stackStatus(config);
  describeStatus(status).forEach(log);
  if (!stackIsUp(status)) process.exitCode = 3;
}

/** `caravan stack reset`. */
export function stackResetCommand(): void {
  const { config, log } = cliContext();
  resetBrokerData(config.stack.stateDir);
  log('Kafka data deleted; the next `stack up` formats a fresh broker');
}

/** `caravan migrate`. */
export async function migrateCommand(): Promise<void> {
  const { config, log } = cliContext();
  await withDatabase(config, 'migrate', async (_pool, report) => {
    const names = report.applied.map(migrationLabel);
    log(
      `${redactUrl(config.database.url)}:` +
        ` ${names.length ? `applied ${names.join(', ')}` : 'up to date'} (${report.alreadyApplied} already applied)`,
    );
  });
}
