#!/usr/bin/env node
// `caravan-app <ingestor|projector|publisher|api>` (or CARAVAN_APP): runs one app in the foreground
// from the compiled dist/, as a container or a process manager does; the image's entrypoint.
// `caravan-app --probe live|ready`: exit 0 when the app on HTTP_PORT answers its probe with 200
// (the image's HEALTHCHECK; Kubernetes calls the HTTP probes itself).
'use strict';
const { join } = require('node:path');

const APPS = ['ingestor', 'projector', 'publisher', 'api'];

if (process.argv[2] === '--probe') probe(process.argv[3]);
else run(process.argv[2] || process.env.CARAVAN_APP);

function run(app) {
  if (!APPS.includes(app)) {
    process.stderr.write(
      `caravan-app: name the app to run, as the first argument or CARAVAN_APP: ${APPS.join(' | ')} ` +
        `(got ${app === undefined ? 'none' : JSON.stringify(app)})\n`,
    );
    process.exit(2);
  }
  require(join(__dirname, '..', 'dist', 'apps', app, 'src', 'main.js'));
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
