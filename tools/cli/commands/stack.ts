import type { Command } from 'commander';

/** The implementation (the stack, PostgreSQL), loaded when a command runs, not for --help. */
const implementation = (): typeof import('../actions/stack') => require('../actions/stack');

/** `caravan stack up|down|status|reset` and `caravan migrate`: the foundation's tools under one roof. */
export function registerStack(program: Command): void {
  const stack = program
    .command('stack')
    .description('the local Kafka broker (from Apache jars on Maven Central) and the PostgreSQL database');
  stack
    .command('up')
    .description('start a single-node Kafka broker unless one answers at KAFKA_BROKERS; create the database if missing')
    .action(async () => implementation().stackUpCommand());
  stack
    .command('down')
    .description('stop the broker that `stack up` started (nothing else; PostgreSQL stays)')
    .action(async () => implementation().stackDownCommand());
  stack
    .command('status')
    .description('is the broker running, and PostgreSQL reachable? (exit 3 when not)')
    .action(async () => implementation().stackStatusCommand());
  stack
    .command('reset')
    .description("delete the local broker's data (stop it first); the next `up` formats a fresh one")
    .action(async () => implementation().stackResetCommand());

  program
    .command('migrate')
    .description('create the database if missing and apply pending migrations')
    .action(async () => implementation().migrateCommand());
}
