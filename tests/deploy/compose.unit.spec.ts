import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { APP_NAMES, loadConfig, projectRoot } from '@caravan/config';
import { dockerfileRuntime } from '../harness/dockerfile';

type Service = {
  image?: string;
  build?: string;
  profiles?: string[];
  entrypoint?: string[];
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  stop_grace_period?: string;
};
type Compose = { services: Record<string, Service> };
type Scrape = {
  scrape_configs: Array<{
    job_name: string;
    static_configs: Array<{ targets: string[]; labels: Record<string, string> }>;
  }>;
};

const root = projectRoot();
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as Compose;
const service = (name: string): Service => {
  const s = compose.services[name];
  if (!s) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
};

describe('docker-compose.yml with the apps profile (the whole pipeline from the image)', () => {
  it('is valid for docker-compose (`docker-compose --profile apps config`)', () => {
    const run = spawnSync('docker-compose', ['--profile', 'apps', 'config', '--quiet'], {
      cwd: root,
      encoding: 'utf8',
    });
    if (run.error)
      throw new Error(
        `docker-compose is not installed (Debian: apt-get install docker-compose; .ci/run does): ${run.error.message}`,
      );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('runs each app from the image of the Dockerfile, by its argument, in the apps profile only', () => {
    for (const app of APP_NAMES) {
      const s = service(app);
      expect({ app, build: s.build, image: s.image, profiles: s.profiles, command: s.command }).toEqual({
        app,
        build: '.',
        image: 'caravan:local',
        profiles: ['apps'],
        command: [app],
      });
      // As long as Kubernetes waits for an app to finish its work on SIGTERM.
      const k8s = parse(
        readFileSync(join(root, 'deploy', 'kubernetes', 'base', `${app}.yaml`), 'utf8').split(/^---$/m)[0] as string,
      ) as {
        spec: { template: { spec: { terminationGracePeriodSeconds: number } } };
      };
      expect([app, s.stop_grace_period]).toEqual([app, `${k8s.spec.template.spec.terminationGracePeriodSeconds}s`]);
      expect(s.depends_on).toEqual({
        kafka: { condition: 'service_healthy' },
        postgres: { condition: 'service_healthy' },
        migrate: { condition: 'service_completed_successfully' },
      });
    }
    // The local stack alone (`docker compose up`) stays Kafka and PostgreSQL.
    expect(
      Object.entries(compose.services)
        .filter(([, s]) => !s.profiles)
        .map(([name]) => name)
        .sort(),
    ).toEqual(['kafka', 'postgres']);
  });

  it('migrates once, before the apps, with the CLI of the same image; the apps do not migrate', () => {
    const migrate = service('migrate');
    expect({ build: migrate.build, image: migrate.image, profiles: migrate.profiles }).toEqual({
      build: '.',
      image: 'caravan:local',
      profiles: ['apps'],
    });
    // The image links its CLI as `caravan` (Dockerfile); tini stays PID 1 as in the entrypoint.
    expect([...(migrate.entrypoint ?? []), ...(migrate.command ?? [])]).toEqual(['tini', '--', 'caravan', 'migrate']);
    expect(dockerfileRuntime(root).text).toMatch(/\bln -s \/app\/bin\/caravan\.js \/usr\/local\/bin\/caravan\b/);
    expect(migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    // The database the apps use (the local superuser for all: the compose file's header says why).
    const migrates = loadConfig('tool', migrate.environment ?? {}).database.url;
    for (const app of APP_NAMES) {
      const config = loadConfig(app, service(app).environment ?? {});
      expect([app, config.database.url, config.database.migrateOnStart]).toEqual([app, migrates, false]);
    }
  });

  it("gives each app a configuration its schema accepts, reaching Kafka and PostgreSQL by the network's names", () => {
    const advertised = service('kafka').environment?.KAFKA_ADVERTISED_LISTENERS ?? '';
    for (const app of APP_NAMES) {
      const config = loadConfig(app, service(app).environment ?? {});
      for (const broker of config.kafka.brokers)
        expect(advertised.split(',').map((l) => l.replace(/^\w+:\/\//, ''))).toContain(broker);
      expect(new URL(config.database.url).hostname).toBe('postgres');
      expect(config.http.host).toBe('0.0.0.0');
    }
  });

  it('publishes the api (the dashboard) and lets Prometheus scrape every app on its port, labelled by app', () => {
    const port = loadConfig('api', service('api').environment ?? {}).http.port;
    expect(service('api').ports).toEqual([`127.0.0.1:3000:${port}`]);
    const scrape = parse(readFileSync(join(root, 'deploy', 'prometheus', 'prometheus.yml'), 'utf8')) as Scrape;
    const targets = scrape.scrape_configs.flatMap((c) =>
      c.static_configs.flatMap((s) => s.targets.map((t) => [t, s.labels.app])),
    );
    expect(targets.sort()).toEqual(
      APP_NAMES.map((app) => [`${app}:${loadConfig(app, service(app).environment ?? {}).http.port}`, app]).sort(),
    );
  });

  it('provisions Prometheus (rules and scrape config) and Grafana (data source, dashboard) from files in the repository', () => {
    for (const name of ['prometheus', 'grafana']) {
      expect(service(name).profiles).toEqual(['apps']);
      for (const volume of service(name).volumes ?? []) {
        const [from] = volume.split(':');
        expect([volume, existsSync(join(root, from as string))]).toEqual([volume, true]);
      }
    }
    expect(service('prometheus').volumes).toContain('./deploy/prometheus:/etc/prometheus:ro');
    expect(service('grafana').volumes).toEqual(
      expect.arrayContaining([
        './deploy/grafana/provisioning:/etc/grafana/provisioning:ro',
        './deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro',
      ]),
    );
  });
});

describe('the Dockerfile', () => {
  const runtime = dockerfileRuntime(root);
  const stage = runtime.text;

  it('builds in one stage and runs from another, with the packed Caravan and production dependencies only', () => {
    const text = readFileSync(join(root, 'Dockerfile'), 'utf8');
    expect(text.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(stage).toMatch(/^COPY --from=build \/tmp\/caravan\.tgz /m);
    expect(stage).toMatch(/^RUN sh \/tmp\/install\.sh /m);
    expect(readFileSync(join(root, 'deploy', 'image', 'install.sh'), 'utf8')).toMatch(/^npm ci --omit=dev /m);
    // The build context leaves out what the build makes itself, and local secrets.
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(
      expect.arrayContaining(['node_modules', 'dist', '.git', '.env', '.env.*', '*.pem', '*.key']),
    );
  });

  it('runs as a user who is not root, listens on every interface, chooses the app by argument or CARAVAN_APP, checks its liveness', () => {
    const user = /^USER (\S+)$/m.exec(stage)?.[1] ?? 'root';
    expect(user.split(':')[0]).toMatch(/^[1-9]\d*$/);
    expect(stage).toMatch(/^ENV .*\bHTTP_HOST=0\.0\.0\.0\b/m);
    const port = /\bHTTP_PORT=(\d+)/.exec(stage)?.[1];
    expect(stage).toMatch(new RegExp(`^EXPOSE ${port}$`, 'm'));
    // The compose apps and the Kubernetes manifests rely on that port.
    for (const app of APP_NAMES) expect(service(app).environment?.HTTP_PORT).toBe(port);
    // tini as PID 1 forwards SIGTERM to node (which as PID 1 would ignore a signal it has no handler for).
    expect(stage).toMatch(/^RUN apt-get update\s+&&\s+apt-get install -y --no-install-recommends tini\b/m);
    expect(runtime.entrypoint).toEqual(['tini', '--', 'node', '/app/bin/caravan-app.js']);
    // No default argument: it would always win over CARAVAN_APP (`docker run -e CARAVAN_APP=ingestor caravan`).
    expect(stage).not.toMatch(/^CMD /m);
    expect(runtime.healthcheck).toEqual(['node', '/app/bin/caravan-app.js', '--probe', 'live']);
  });
});
