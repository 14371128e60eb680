import { join } from 'node:path';
import { APP_NAMES, projectRoot } from '@caravan/config';

type Choice = { app: string; error?: undefined } | { app?: undefined; error: string };
/** bin/caravan-app.js, the image's entrypoint, loaded as a module: its rule for the app to run. */
const launcher = jest.requireActual<{ APPS: string[]; appToRun(argument?: string, fromEnv?: string): Choice }>(
  join(projectRoot(), 'bin', 'caravan-app.js'),
);

describe('caravan-app: which app it runs (the argument, else CARAVAN_APP, else the api)', () => {
  it('knows the four apps', () => {
    expect([...launcher.APPS].sort()).toEqual([...APP_NAMES].sort());
  });

  it.each([
    { argument: 'ingestor', env: undefined, app: 'ingestor' },
    // `docker run -e CARAVAN_APP=projector caravan`: the image gives no argument.
    { argument: undefined, env: 'projector', app: 'projector' },
    { argument: 'publisher', env: 'publisher', app: 'publisher' },
    { argument: undefined, env: undefined, app: 'api' },
    { argument: undefined, env: '', app: 'api' },
  ])('argument $argument, CARAVAN_APP $env: $app', ({ argument, env, app }) => {
    expect(launcher.appToRun(argument, env)).toEqual({ app });
  });

  it('refuses an argument and a CARAVAN_APP that differ, in one line', () => {
    const choice = launcher.appToRun('api', 'ingestor');
    expect(choice.app).toBeUndefined();
    expect(choice.error).toMatch(/"api".*CARAVAN_APP "ingestor"/);
    expect(choice.error).not.toContain('\n');
  });

  it('refuses an app that does not exist, saying where the name came from', () => {
    expect(launcher.appToRun('ingester', undefined).error).toMatch(/no app "ingester" \(from the argument\)/);
    expect(launcher.appToRun(undefined, 'web').error).toMatch(/no app "web" \(from CARAVAN_APP\)/);
  });
});
