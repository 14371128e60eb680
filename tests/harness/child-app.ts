import { type ChildApp, stopApp } from '@caravan/stack';

/**
 * The child apps a test file starts (spawnApp of @caravan/stack): push them here and each is
 * thawed (SIGCONT) and SIGKILLed after every test (`each`) or after the file (`all`).
 */
export function useChildApps(scope: 'each' | 'all' = 'each'): ChildApp[] {
  const running: ChildApp[] = [];
  (scope === 'each' ? afterEach : afterAll)(async () => {
    for (const app of running) app.process.kill('SIGCONT');
    await Promise.all(running.splice(0).map((app) => stopApp(app, 'SIGKILL')));
  });
  return running;
}
