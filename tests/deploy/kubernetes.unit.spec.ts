import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { APP_NAMES, type AppName, envSchema, loadConfig, projectRoot } from '@caravan/config';
import { DATABASE_ROLES, type DatabaseRole } from '@caravan/database';
import { dockerfileArg, dockerfileRuntime } from '../harness/dockerfile';

const BASE = join(projectRoot(), 'deploy', 'kubernetes', 'base');

/** The Secret's database URLs each app gets (its own variable, its key of the same name). */
const OWN_URLS: Record<AppName, string[]> = {
  ingestor: ['INGESTOR_DATABASE_URL'],
  projector: ['PROJECTOR_DATABASE_URL'],
  publisher: ['PUBLISHER_DATABASE_URL'],
  api: ['API_ADMIN_DATABASE_URL', 'API_DATABASE_URL'],
};
/** The owner's URL: the migrate Job's only. */
const OWNER_URL = 'MIGRATE_DATABASE_URL';
/** The role of migration 0018 that the login user of each URL must be a member of. */
const ROLE_OF_URL: Record<string, DatabaseRole> = {
  [OWNER_URL]: DATABASE_ROLES.owner,
  INGESTOR_DATABASE_URL: DATABASE_ROLES.ingest,
  PROJECTOR_DATABASE_URL: DATABASE_ROLES.projector,
  PUBLISHER_DATABASE_URL: DATABASE_ROLES.publisher,
  API_ADMIN_DATABASE_URL: DATABASE_ROLES.admin,
  API_DATABASE_URL: DATABASE_ROLES.api,
};

/**
 * kubernetes-models' class of each kind used here (4.x: CommonJS on Node 20), whose validate()
 * checks the API schema.
 */
const MODELS: Record<string, () => { new (data: object): { validate(): void } }> = {
  'apps/v1/Deployment': () => require('kubernetes-models/apps/v1/Deployment').Deployment,
  'batch/v1/Job': () => require('kubernetes-models/batch/v1/Job').Job,
  'v1/ConfigMap': () => require('kubernetes-models/v1/ConfigMap').ConfigMap,
  'v1/Secret': () => require('kubernetes-models/v1/Secret').Secret,
  'v1/Service': () => require('kubernetes-models/v1/Service').Service,
  'policy/v1/PodDisruptionBudget': () => require('kubernetes-models/policy/v1/PodDisruptionBudget').PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': () =>
    require('kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler').HorizontalPodAutoscaler,
};

type Manifest = { apiVersion: string; kind: string; metadata: { name: string }; [key: string]: unknown };
type Container = {
  command?: string[];
  args: string[];
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  env?: Array<{ name: string; valueFrom: { secretKeyRef: { name: string; key: string } } }>;
  livenessProbe?: { httpGet: { path: string } };
  readinessProbe?: { httpGet: { path: string } };
  resources: { requests: { memory: string }; limits: { memory: string } };
};

type PodSpec = {
  containers: Container[];
  terminationGracePeriodSeconds: number;
  restartPolicy?: string;
  automountServiceAccountToken?: boolean;
  topologySpreadConstraints?: object[];
  volumes: Array<{ name: string; secret?: { secretName: string; items?: Array<{ key: string; path: string }> } }>;
};

function manifests(): Array<{ file: string; doc: Manifest }> {
  const kustomization = parseAllDocuments(readFileSync(join(BASE, 'kustomization.yaml'), 'utf8'))[0]?.toJS() as {
    resources: string[];
  };
  return kustomization.resources.flatMap((file) =>
    parseAllDocuments(readFileSync(join(BASE, file), 'utf8')).map((d) => {
      if (d.errors.length > 0) throw new Error(`${file}: ${d.errors.map((e) => e.message).join('; ')}`);
      return { file, doc: d.toJS() as Manifest };
    }),
  );
}

const mebibytes = (q: string) => Number(/^(\d+)Mi$/.exec(q)?.[1] ?? Number.NaN);

describe('the Kubernetes manifests (deploy/kubernetes/base)', () => {
  const all = manifests();
  const deployment = (app: string) =>
    all.find((m) => m.doc.kind === 'Deployment' && m.doc.metadata.name === `caravan-${app}`)?.doc as Manifest & {
      spec: {
        replicas?: number;
        selector: { matchLabels: Record<string, string> };
        template: { spec: PodSpec };
      };
    };

  it('the kustomization lists every file of the base, and nothing else', () => {
    const listed = new Set(all.map((m) => m.file));
    expect([...listed].sort()).toEqual(
      readdirSync(BASE)
        .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
        .sort(),
    );
  });

  it.each(all.map((m) => [`${m.file}: ${m.doc.kind} ${m.doc.metadata.name}`, m.doc] as const))(
    '%s is valid against the Kubernetes API schema',
    (_name, doc) => {
      const model = MODELS[`${doc.apiVersion}/${doc.kind}`];
      expect(model).toBeDefined();
      const Model = (model as () => { new (data: object): { validate(): void } })();
      expect(() => new Model(doc).validate()).not.toThrow();
    },
  );

  it('the schema check bites: a replica count written as text is refused', () => {
    const Deployment = (MODELS['apps/v1/Deployment'] as () => { new (data: object): { validate(): void } })();
    const broken = structuredClone(deployment('api')) as { spec: { replicas: unknown } };
    broken.spec.replicas = 'two';
    expect(() => new Deployment(broken).validate()).toThrow(/replicas must be integer/);
  });

  it.each(APP_NAMES)(
    '%s: a Deployment running that app, probed on /health/live and /health/ready, its memory from ' +
      'the measured RSS, and a PodDisruptionBudget',
    (app) => {
      const d = deployment(app);
      const [container] = d.spec.template.spec.containers;
      expect(container?.args).toEqual([app]);
      expect(container?.livenessProbe?.httpGet.path).toBe('/health/live');
      expect(container?.readinessProbe?.httpGet.path).toBe('/health/ready');
      // BENCHMARKS.md: peak RSS at most 347 MiB (ingestor, bench), 251 (projector), 209
      // (publisher), 191 (api, 1,000 streams).
      const measured = { ingestor: 347, projector: 251, publisher: 209, api: 191 }[app];
      expect(mebibytes(container?.resources.requests.memory ?? '')).toBeGreaterThanOrEqual(measured);
      expect(mebibytes(container?.resources.limits.memory ?? '')).toBeGreaterThanOrEqual(2 * measured);
      expect(all.some((m) => m.doc.kind === 'PodDisruptionBudget' && m.doc.metadata.name === `caravan-${app}`)).toBe(
        true,
      );
    },
  );

  it('stand-bys for the projector and the publisher; ingestors scaled up to the partition count; the api behind a Service', () => {
    expect(deployment('projector').spec.replicas).toBeGreaterThanOrEqual(2);
    expect(deployment('publisher').spec.replicas).toBeGreaterThanOrEqual(2);
    const config = all.find((m) => m.doc.kind === 'ConfigMap')?.doc as unknown as { data: Record<string, string> };
    const hpa = all.find((m) => m.doc.kind === 'HorizontalPodAutoscaler')?.doc as unknown as {
      spec: { scaleTargetRef: { name: string }; maxReplicas: number };
    };
    expect(hpa.spec.scaleTargetRef.name).toBe('caravan-ingestor');
    expect(hpa.spec.maxReplicas).toBe(Number(config.data.TOPIC_PARTITIONS));
    expect(all.find((m) => m.doc.kind === 'Service')?.doc).toMatchObject({
      metadata: { name: 'caravan-api' },
      spec: { selector: { 'app.kubernetes.io/name': 'caravan-api' } },
    });
  });

  it("refuses the Secret's placeholder admin token: the api does not start with the base alone", () => {
    const config = all.find((m) => m.doc.kind === 'ConfigMap')?.doc as unknown as { data: Record<string, string> };
    const secret = all.find((m) => m.doc.kind === 'Secret')?.doc as unknown as { stringData: Record<string, string> };
    const parsed = envSchema.safeParse({ ...config.data, ...secret.stringData });
    expect(parsed.success ? [] : parsed.error.issues.map((issue) => issue.path.join('.'))).toEqual(['ADMIN_TOKEN']);
  });

  it.each(APP_NAMES)(
    '%s: replicas spread over the nodes when it can, no service account token, only the Secret keys it uses',
    (app) => {
      const d = deployment(app);
      const pod = d.spec.template.spec;
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.topologySpreadConstraints).toEqual([
        {
          maxSkew: 1,
          topologyKey: 'kubernetes.io/hostname',
          whenUnsatisfiable: 'ScheduleAnyway',
          labelSelector: { matchLabels: d.spec.selector.matchLabels },
        },
      ]);
      // Mounted: the files the ConfigMap's settings name under /etc/caravan/secrets, and nothing else.
      const config = all.find((m) => m.doc.kind === 'ConfigMap')?.doc as unknown as { data: Record<string, string> };
      const named = Object.values(config.data)
        .filter((v) => v.startsWith('/etc/caravan/secrets/'))
        .map((v) => v.slice('/etc/caravan/secrets/'.length));
      const items = pod.volumes.flatMap((v) =>
        v.secret?.secretName === 'caravan-secrets' ? (v.secret.items ?? []) : [],
      );
      expect(items.map((i) => i.key).sort()).toEqual(named.sort());
      for (const item of items) expect(item.path).toBe(item.key);
      // The admin token only where the admin routes are.
      const keys = (pod.containers[0]?.env ?? []).map((e) => e.valueFrom.secretKeyRef.key);
      expect([app, keys.includes('ADMIN_TOKEN')]).toEqual([app, app === 'api']);
    },
  );

  it('the api keeps serving for 5 s once terminating (preStop `sleep`, which its Debian-based image has), within its grace period', () => {
    const pod = deployment('api').spec.template.spec;
    expect(pod.containers[0]?.lifecycle?.preStop?.exec?.command).toEqual(['sleep', '5']);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(5);
    expect(dockerfileArg('NODE_IMAGE')).toMatch(/^node:[\w.-]*-(bookworm|bullseye|trixie)(-slim)?$/);
  });

  it('the Deployments an autoscaler scales say no replica count of their own (an apply would reset it)', () => {
    const scaled = all
      .filter((m) => m.doc.kind === 'HorizontalPodAutoscaler')
      .map((m) => (m.doc as unknown as { spec: { scaleTargetRef: { name: string } } }).spec.scaleTargetRef.name);
    expect(scaled).toEqual(['caravan-ingestor']);
    for (const name of scaled) expect(deployment(name.replace(/^caravan-/, '')).spec.replicas).toBeUndefined();
  });

  it('every setting is a variable the apps read, and the configuration parses; every secret an app takes exists', () => {
    const config = all.find((m) => m.doc.kind === 'ConfigMap')?.doc as unknown as { data: Record<string, string> };
    const secret = all.find((m) => m.doc.kind === 'Secret')?.doc as unknown as { stringData: Record<string, string> };
    const known = Object.keys(envSchema.shape);
    expect(Object.keys(config.data).filter((k) => !known.includes(k))).toEqual([]);
    const files = ['KAFKA_SSL_CA_FILE', 'DATABASE_SSL_CA_FILE', 'KAFKA_SASL_USERNAME_FILE', 'KAFKA_SASL_PASSWORD_FILE'];
    for (const variable of files)
      expect(config.data[variable]).toMatch(
        new RegExp(`^/etc/caravan/secrets/(${Object.keys(secret.stringData).join('|')})$`),
      );
    // With the base's placeholders only ADMIN_TOKEN is refused (the test above); with a real token it all parses.
    const parsed = envSchema.safeParse({ ...config.data, ...secret.stringData, ADMIN_TOKEN: 'x'.repeat(32) });
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
    for (const app of APP_NAMES) {
      for (const e of deployment(app).spec.template.spec.containers[0]?.env ?? [])
        expect(Object.keys(secret.stringData)).toContain(e.valueFrom.secretKeyRef.key);
    }
  });

  describe('the database: each app its own login user, the owner for the migrate Job only', () => {
    const config = () =>
      all.find((m) => m.doc.kind === 'ConfigMap')?.doc as unknown as { data: Record<string, string> };
    const secret = () =>
      all.find((m) => m.doc.kind === 'Secret')?.doc as unknown as { stringData: Record<string, string> };
    const job = () =>
      all.find((m) => m.doc.kind === 'Job' && m.doc.metadata.name === 'caravan-migrate')?.doc as unknown as Manifest & {
        spec: { backoffLimit: number; ttlSecondsAfterFinished?: number; template: { spec: PodSpec } };
      };
    const envOf = (pod: PodSpec) =>
      (pod.containers[0]?.env ?? []).map((e) => [e.name, e.valueFrom.secretKeyRef.key] as const);
    const userOf = (url: string) => new URL(url).username;
    // The login users deploy/kubernetes/README.md creates: `CREATE ROLE <user> LOGIN … IN ROLE <role>`,
    // and the owner's, granted its role WITH ADMIN OPTION (migration 0018 grants it on to whoever migrates).
    const readme = readFileSync(join(BASE, '..', 'README.md'), 'utf8');
    const loginRoles = new Map(
      [...readme.matchAll(/^CREATE ROLE (\w+) LOGIN PASSWORD '…' IN ROLE (\w+);$/gm)].map((m) => [m[1], m[2]]),
    );
    for (const m of readme.matchAll(/^GRANT (\w+), \w+ TO (\w+) WITH ADMIN OPTION;$/gm)) loginRoles.set(m[2], m[1]);

    it.each(APP_NAMES)(
      "%s: exactly its own URL, as its role's login user, never the owner's; it does not migrate",
      (app) => {
        const env = envOf(deployment(app).spec.template.spec);
        const urls = env.filter(([name, key]) => /DATABASE_URL$/.test(name) || /DATABASE_URL$/.test(key));
        expect(urls).toEqual(OWN_URLS[app].map((key) => [key, key]));
        const values = Object.fromEntries(env.map(([name, key]) => [name, secret().stringData[key]]));
        const parsed = loadConfig(app, {
          ...values,
          MIGRATE_ON_START: config().data.MIGRATE_ON_START,
          ADMIN_TOKEN: 'x'.repeat(32),
        });
        expect(parsed.database.migrateOnStart).toBe(false);
        const connects = [parsed.database.url, ...(app === 'api' ? [parsed.api.databaseUrl as string] : [])];
        expect(connects.map((url) => loginRoles.get(userOf(url)))).toEqual(
          OWN_URLS[app].map((key) => ROLE_OF_URL[key]),
        );
      },
    );

    it('the migrate Job runs `caravan migrate` of the image as the owner, once, retried a few times, then cleaned up', () => {
      const { spec } = job();
      const pod = spec.template.spec;
      const [container] = pod.containers;
      expect([...(container?.command ?? []), ...(container?.args ?? [])]).toEqual(['tini', '--', 'caravan', 'migrate']);
      // The image links the CLI as `caravan` and has tini (Dockerfile).
      const image = dockerfileRuntime().text;
      expect(image).toMatch(/\bln -s \/app\/bin\/caravan\.js \/usr\/local\/bin\/caravan\b/);
      expect(image).toMatch(/\binstall -y --no-install-recommends tini\b/);
      // The CLI connects with DATABASE_URL: the owner's user (member of caravan_owner).
      expect(envOf(pod)).toEqual([['DATABASE_URL', OWNER_URL]]);
      const parsed = loadConfig('tool', { DATABASE_URL: secret().stringData[OWNER_URL] });
      expect(loginRoles.get(userOf(parsed.database.url))).toBe(DATABASE_ROLES.owner);
      expect(pod.restartPolicy).toBe('Never');
      expect(spec.backoffLimit).toBeGreaterThanOrEqual(1);
      expect(spec.backoffLimit).toBeLessThanOrEqual(6);
      expect(spec.ttlSecondsAfterFinished).toBeGreaterThan(0);
      expect(pod.automountServiceAccountToken).toBe(false);
      // Measured: peak RSS 112 MiB for the compiled CLI applying every migration to an empty store.
      expect(mebibytes(container?.resources.requests.memory ?? '')).toBeGreaterThanOrEqual(112);
      expect(mebibytes(container?.resources.limits.memory ?? '')).toBeGreaterThanOrEqual(2 * 112);
      // It parses the same configuration as the apps: the same files mounted, no more.
      const mounted = (p: PodSpec) => p.volumes.flatMap((v) => v.secret?.items ?? []);
      expect(mounted(pod)).toEqual(mounted(deployment('api').spec.template.spec));
    });

    it("the owner's URL reaches the migrate Job only; every database URL of the Secret goes to one workload", () => {
      const workloads = all.filter((m) => m.doc.kind === 'Deployment' || m.doc.kind === 'Job');
      const takers = (key: string) =>
        workloads
          .filter((m) =>
            envOf((m.doc as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec).some(
              ([, k]) => k === key,
            ),
          )
          .map((m) => m.doc.metadata.name);
      expect(takers(OWNER_URL)).toEqual(['caravan-migrate']);
      const urlKeys = Object.keys(secret().stringData).filter((k) => /DATABASE_URL$/.test(k));
      expect(urlKeys.sort()).toEqual(Object.keys(ROLE_OF_URL).sort());
      for (const key of urlKeys) expect([key, takers(key).length]).toEqual([key, 1]);
      // One login user per URL, none shared.
      expect(new Set(urlKeys.map((k) => userOf(secret().stringData[k] as string))).size).toBe(urlKeys.length);
    });
  });
});
