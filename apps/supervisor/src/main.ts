import { z } from 'zod';
import { APP_NAMES, inheritedEnvironment } from '@caravan/config';
import { Supervisor } from '@caravan/stack';

/**
 * `caravan up`'s supervisor: keeps the four apps running on a single host, restarting any that
 * exits (with backoff, counted in .caravan/run/<app>.json); SIGTERM (`caravan down`) stops them all.
 * Started detached by the CLI with its plan (root, state dir, apps and ports) as its one argument;
 * the apps get the environment it was started with, and parse it themselves.
 */
const planSchema = z.object({
  root: z.string().min(1),
  stateDir: z.string().min(1),
  apps: z.array(z.object({ app: z.enum(APP_NAMES), port: z.int().min(1).max(65_535) })).min(1),
});
const parsed = planSchema.safeParse(
  (() => {
    try {
      return JSON.parse(process.argv[2] ?? 'null');
    } catch {
      return null;
    }
  })(),
);
if (!parsed.success) {
  process.stderr.write('caravan supervisor: expected its plan as a JSON argument (it is started by `caravan up`)\n');
  process.exit(2);
}
const plan = parsed.data;
const log = (line: string) => process.stdout.write(`${new Date().toISOString()} supervisor: ${line}\n`);
const supervisor = new Supervisor({ ...plan, env: inheritedEnvironment(), log });
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
