#!/usr/bin/env node
// `caravan-app [ingestor|projector|publisher|api]`: runs one app in the foreground from the compiled
// dist/, as a container or a process manager does; the image's entrypoint. The app is the argument,
// else CARAVAN_APP, else the api (appToRun).
// `caravan-app --probe live|ready`: exit 0 when the app on HTTP_PORT answers its probe with 200
// (the image's HEALTHCHECK; Kubernetes calls the HTTP probes itself).
'use strict';
const { join } = require('node:path');

const APPS = ['ingestor', 'projector', 'publisher', 'api'];
const USAGE = [
  `Usage: caravan-app [${APPS.join('|')}]`,
  '       caravan-app --probe live|ready',
  '',
  'Runs one app of Caravan in the foreground: the app the argument names, else the one CARAVAN_APP',
  'names, else the api. An argument and a CARAVAN_APP that differ are refused (exit 2).',
  '--probe: exit 0 when the app on HTTP_PORT answers /health/<live|ready> with 200, else 1.',
  '',
].join('\n');

/**
 * The app to run: `argument` (the first argument), else `fromEnv` (CARAVAN_APP), else the api.
 * Both given and different, or an app that does not exist: `{ error }`, one line.
 */
function appToRun(argument, fromEnv) {
  const named = fromEnv === '' ? undefined : fromEnv;
  if (argument !== undefined && named !== undefined && argument !== named)
    return {
      error:
        `caravan-app: the argument names ${JSON.stringify(argument)} but CARAVAN_APP ${JSON.stringify(named)}: ` +
        'give one of them, or the same app in both',
    };
  const app = argument ?? named ?? 'api';
  if (!APPS.includes(app))
    return {
      error:
        `caravan-app: no app ${JSON.stringify(app)} ` +
        `(from ${argument === undefined ? 'CARAVAN_APP' : 'the argument'}): ` +
        APPS.join(' | '),
    };
  return { app };
}

function main(args) {
  if (args[0] === '--help' || args[0] === '-h') process.stdout.write(USAGE);
  else if (args[0] === '--probe') probe(args[1]);
  else run(appToRun(args[0], process.env.CARAVAN_APP));
}

function run(choice) {
  if (choice.error !== undefined) {
    process.stderr.write(`${choice.error}\n`);
    process.exit(2);
  }
  require(join(__dirname, '..', 'dist', 'apps', choice.app, 'src', 'main.js'));
}

function probe(which) {
  const port = process.env.HTTP_PORT;
  if ((which !== 'live' && which !== 'ready') || !port) {
    process.stderr.write(
      'caravan-app --probe live|ready: probes http://127.0.0.1:$HTTP_PORT/health/<live|ready> ' +
        '(HTTP_PORT must be set)\n',
    );
    process.exit(2);
  }
  fetch(`http://127.0.0.1:${port}/health/${which}`, { signal: AbortSignal.timeout(4_000) }).then(
    (response) => {
      if (response.status !== 200) process.stderr.write(`caravan-app: /health/${which} answered ${response.status}\n`);
      process.exit(response.status === 200 ? 0 : 1);
    },
    (error) => {
      process.stderr.write(
        `caravan-app: /health/${which}: ${error.cause?.code ?? error.cause?.message ?? error.message}\n`,
      );
      process.exit(1);
    },
  );
}

if (require.main === module) main(process.argv.slice(2));
else module.exports = { APPS, appToRun };
