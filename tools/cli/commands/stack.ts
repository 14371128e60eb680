import type { Command } from 'commander';
import { createPool, ensureDatabase, migrate, migrationLabel, redactUrl } from '@caravan/database';
import { describeStatus, resetBrokerData, stackDown, stackIsUp, stackStatus, stackUp } from '@caravan/stack';
import { cliContext } from '../support/context';

/** `caravan stack up|down|status|reset` and `caravan migrate`: the foundation's tools under one roof. */
export function registerStack(program: Command): void {
  const stack = program.command('stack').description('the local Kafka broker (from Apache jars on Maven Central) and the PostgreSQL database');
  stack
    .command('up')
    .description('start a single-node Kafka broker unless one answers at KAFKA_BROKERS; create the database if missing')
    .action(async () => {
      const { config, log } = cliContext();
      await stackUp(config, log);
      describeStatus(await stackStatus(config)).forEach(log);
    });
  stack
    .command('down')
    .description('stop the broker that `stack up` started (nothing else; PostgreSQL stays)')
    .action(async () => {
      const { config, log } = cliContext();
      await stackDown(config, log);
    });
  stack
    .command('status')
    .description('is the broker running, and PostgreSQL reachable? (exit 3 when not)')
    .action(async () => {
      const { config, log } = cliContext();
      const status = await stackStatus(config);
      describeStatus(status).forEach(log);
      if (!stackIsUp(status)) process.exitCode = 3;
    });
  stack
    .command('reset')
    .description("delete the local broker's data (stop it first); the next `up` formats a fresh one")
    .action(() => {
      const { config, log } = cliContext();
      resetBrokerData(config.stack.stateDir);
      log('Kafka data deleted; the next `stack up` formats a fresh broker');
    });

  program
    .command('migrate')
    .description('create the database if missing and apply pending migrations')
    .action(async () => {
      const { config, log } = cliContext();
      await ensureDatabase(config.database.url);
      const pool = createPool({ url: config.database.url, poolSize: 1, applicationName: 'caravan-migrate', limits: config.database.limits });
      try {
        const report = await migrate(pool);
        const names = report.applied.map(migrationLabel);
        log(`${redactUrl(config.database.url)}: ${names.length ? `applied ${names.join(', ')}` : 'up to date'} (${report.alreadyApplied} already applied)`);
      } finally {
        await pool.end();
      }
    });
}
