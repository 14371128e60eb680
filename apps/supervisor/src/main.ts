import { type SupervisorOptions, Supervisor } from '@caravan/stack';

/**
 * `caravan up`'s supervisor: keeps the four apps running on a single host, restarting any that
 * exits (with backoff, counted in .caravan/run/<app>.json); SIGTERM (`caravan down`) stops them all.
 * Started detached by the CLI with its plan in CARAVAN_SUPERVISE (root, state dir, apps and ports).
 */
const plan = JSON.parse(process.env.CARAVAN_SUPERVISE ?? 'null') as Pick<SupervisorOptions, 'root' | 'stateDir' | 'apps'> | null;
if (!plan) {
  process.stderr.write('caravan supervisor: CARAVAN_SUPERVISE is not set (it is started by `caravan up`)\n');
  process.exit(2);
}
const env = { ...process.env };
delete env.CARAVAN_SUPERVISE;
const log = (line: string) => process.stdout.write(`${new Date().toISOString()} supervisor: ${line}\n`);
const supervisor = new Supervisor({ ...plan, env, log });
supervisor.start();
log(`supervising ${plan.apps.map((a) => `${a.app} (port ${a.port})`).join(', ')}`);
let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping the apps`);
    supervisor.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log(`stopping failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  });
}
