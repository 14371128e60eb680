import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { APP_NAMES, envSchema, projectRoot } from '@caravan/config';
import { dockerfileArg } from '../harness/dockerfile';

const BASE = join(projectRoot(), 'deploy', 'kubernetes', 'base');

/**
 * kubernetes-models' class of each kind used here (4.x: CommonJS on Node 20), whose validate()
 * checks the API schema.
 */
const MODELS: Record<string, () => { new (data: object): { validate(): void } }> = {
  'apps/v1/Deployment': () => require('kubernetes-models/apps/v1/Deployment').Deployment,
  'v1/ConfigMap': () => require('kubernetes-models/v1/ConfigMap').ConfigMap,
  'v1/Secret': () => require('kubernetes-models/v1/Secret').Secret,
  'v1/Service': () => require('kubernetes-models/v1/Service').Service,
  'policy/v1/PodDisruptionBudget': () => require('kubernetes-models/policy/v1/PodDisruptionBudget').PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': () =>
    require('kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler').HorizontalPodAutoscaler,
};

type Manifest = { apiVersion: string; kind: string; metadata: { name: string }; [key: string]: unknown };
type Container = {
  args: string[];
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  env?: Array<{ name: string; valueFrom: { secretKeyRef: { name: string; key: string } } }>;
  livenessProbe: { httpGet: { path: string } };
  readinessProbe: { httpGet: { path: string } };
  resources: { requests: { memory: string }; limits: { memory: string } };
};

type PodSpec = {
  containers: Container[];
  terminationGracePeriodSeconds: number;
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
      expect(container?.livenessProbe.httpGet.path).toBe('/health/live');
      expect(container?.readinessProbe.httpGet.path).toBe('/health/ready');
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
});
