import type { INestApplication } from '@nestjs/common';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { buildEvent } from '@caravan/contract';
import { createAdminToken } from '@caravan/http-api';
import { createApiApp } from '../../apps/api/src/api.app';
import { appEnv, projectAll, publishSnapshotsOnce, storeEvents, useTestDatabase } from '../harness';

/**
 * Every route of the OpenAPI document the api serves, driven with generated parameters (valid,
 * at the boundaries, hostile) against the real api on a real PostgreSQL: no answer is a 5xx, and
 * every answer is a status the document lists, with its media type and a body its schema takes.
 */
const TOKEN = 'fuzz-test-token-0123456789abcdef';
/** A named token with the read scope only (made in beforeAll): a POST or a rebuild's status is its 403. */
let readToken = '';
const RUNS_PER_ROUTE = Number(process.env.FUZZ_RUNS_PER_ROUTE ?? 300);

type Schema = Record<string, unknown> & {
  type?: string;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  allOf?: Schema[];
  properties?: Record<string, Schema>;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
};
type Parameter = { name: string; in: 'query' | 'path' | 'header'; required?: boolean; schema: Schema };
type Operation = {
  parameters?: Parameter[];
  security?: unknown[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
};
type Request = {
  path: string;
  query: Array<[string, string]>;
  headers: Record<string, string>;
  body?: string;
};

/** Strings no route should choke on: injections, control and odd characters, numbers out of range, huge ones. */
const HOSTILE = [
  '',
  ' ',
  "' OR 1=1 --",
  "'; DROP TABLE events; --",
  '\u0000',
  'a\u0000b',
  '%',
  '%00',
  '%E0%A4%A',
  '../../../etc/passwd',
  '<script>alert(1)</script>',
  '{}',
  '[]',
  'null',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-1',
  '-0',
  '0x10',
  '1.5',
  '9223372036854775808',
  '99999999999999999999999999',
  '\ud800',
  '😀'.repeat(40),
  'ä'.repeat(70),
  'x'.repeat(3_000),
  'x'.repeat(5_000),
];

const DATE_EDGES = [
  '0000-01-01',
  '0001-01-01',
  '1969-12-31',
  '1970-01-01',
  '2024-02-29',
  '2023-02-29',
  '2024-13-01',
  '2024-00-10',
  '9999-12-31',
  '10000-01-01',
  '-2024-01-01',
  '2024-1-1',
];
const DATE_TIME_EDGES = [
  '0000-01-01T00:00:00Z',
  '1969-12-31T23:59:59Z',
  '1970-01-01T00:00:00+15:59',
  '1970-01-01T00:00:00-15:59',
  '2024-06-01T00:00:00+16:00',
  '2024-06-01T00:00:00-23:59',
  '2024-06-01T24:00:00Z',
  '2024-06-01T12:00:00.123456789Z',
  '2024-06-01T12:00:00',
  '9999-12-31T23:59:59.999999Z',
  '9999-12-31T23:59:59-15:59',
];

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const dateArb = fc
  .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const dateTimeArb = fc
  .tuple(
    dateArb,
    fc.integer({ min: 0, max: 86_399 }),
    fc.constantFrom('Z', '+05:00', '-15:59', '+15:59', '+00:00', '-03:30'),
  )
  .map(
    ([day, s, offset]) => `${day}T${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}${offset}`,
  );

/** Values the schema takes (what a well-behaved client sends). */
function valid(schema: Schema): fc.Arbitrary<string> {
  if (schema.enum) return fc.constantFrom(...schema.enum.map(String));
  if (schema.format === 'date') return dateArb;
  if (schema.format === 'date-time') return dateTimeArb;
  if (schema.format === 'uuid') return fc.uuid().map(String);
  if (schema.type === 'integer')
    return fc.integer({ min: schema.minimum ?? -1_000, max: schema.maximum ?? 1_000_000 }).map(String);
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
  return fc.string({ minLength: 1, maxLength: schema.maxLength ?? 64 });
}

/** Values at and just past the schema's edges. */
function boundary(schema: Schema): fc.Arbitrary<string> {
  if (schema.format === 'date') return fc.constantFrom(...DATE_EDGES);
  if (schema.format === 'date-time') return fc.constantFrom(...DATE_TIME_EDGES);
  if (schema.format === 'uuid') return fc.constantFrom('00000000-0000-0000-0000-000000000000', 'not-a-uuid');
  if (schema.type === 'integer') {
    const min = schema.minimum ?? 0;
    const max = schema.maximum ?? 1_000_000;
    return fc.constantFrom(...[min - 1, min, max, max + 1, 2 ** 31, 2 ** 53 + 1].map(String));
  }
  if (schema.pattern === '^\\d{1,18}$') return fc.constantFrom('0', '999999999999999999', '1000000000000000000');
  if (schema.enum) return fc.constantFrom(...schema.enum.map((v) => String(v).toUpperCase()), 'x');
  return fc.constantFrom('x'.repeat(schema.maxLength ?? 64), 'x'.repeat((schema.maxLength ?? 64) + 1));
}

function value(schema: Schema): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 5, arbitrary: valid(schema) },
    { weight: 3, arbitrary: boundary(schema) },
    { weight: 2, arbitrary: fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: 'binary', maxLength: 80 })) },
  );
}

/** A JSON body: one the schema takes, one near it, or anything at all (not always JSON). */
function body(schema: Schema): fc.Arbitrary<string> {
  const properties = Object.entries(schema.properties ?? {});
  const field = (s: Schema): fc.Arbitrary<unknown> =>
    s.type === 'array'
      ? fc.array(value(s.items ?? {}), { minLength: 0, maxLength: 20 })
      : s.type === 'integer'
        ? fc.oneof(fc.integer({ min: (s.minimum ?? 0) - 1, max: (s.maximum ?? 1_000) + 1 }), value(s))
        : value(s);
  const shaped = fc.record(Object.fromEntries(properties.map(([k, s]) => [k, field(s)])), { requiredKeys: [] });
  return fc.oneof(
    { weight: 6, arbitrary: shaped.map((o) => JSON.stringify(o)) },
    { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.constantFrom('{', '{"ids":', 'null', '"x"', '[1,2]', '{"__proto__":{"x":1}}') },
    { weight: 1, arbitrary: shaped.map((o) => JSON.stringify({ ...o, unexpected: true })) },
    { weight: 1, arbitrary: fc.constant(JSON.stringify({ ids: Array.from({ length: 12_000 }, (_, i) => String(i)) })) },
  );
}

/** A path segment as sent: UTF-8 percent-encoded (lone surrogates as U+FFFD), or a broken escape left raw. */
function pathSegment(v: string): string {
  if (v.startsWith('%') && HOSTILE.includes(v)) return v;
  return [...Buffer.from(v, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9._~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`,
    )
    .join('');
}

/** A hostile value: from the list above or any string at all (lone surrogates, control characters). */
const hostile = fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: 'binary', maxLength: 80 }));

/** How a request departs from a valid one: not at all, one parameter at an edge or hostile, or several and an unknown one. */
type Departure = { kind: 'none' } | { kind: 'one'; at: number; value: string } | { kind: 'many'; values: string[] };

/**
 * A request to one route: its parameters valid (each optional one present or not), then most
 * often exactly one of them at an edge of its schema or hostile, so that the rest being valid
 * lets the odd one reach the handler and PostgreSQL; `from` and `to` are now and then the same
 * (a range the schema takes, at whatever date `from` has).
 */
function requests(path: string, method: string, operation: Operation): fc.Arbitrary<Request> {
  const parameters = operation.parameters ?? [];
  const admin = (operation.security ?? []).length > 0;
  const schemaOf = (p: Parameter): Schema =>
    p.schema.allOf ? { ...p.schema, ...(p.schema.allOf[0] as Schema), allOf: undefined } : p.schema;
  const base = parameters.map((p) =>
    p.required || p.in === 'path' ? valid(schemaOf(p)) : fc.option(valid(schemaOf(p)), { freq: 2 }),
  );
  const one = (at: number) =>
    fc
      .oneof(boundary(schemaOf(parameters[at] as Parameter)), hostile)
      .map((value) => ({ kind: 'one' as const, at, value }));
  const departure: fc.Arbitrary<Departure> =
    parameters.length === 0
      ? fc.constant({ kind: 'none' })
      : fc.oneof(
          { weight: 3, arbitrary: fc.constant({ kind: 'none' as const }) },
          { weight: 6, arbitrary: fc.integer({ min: 0, max: parameters.length - 1 }).chain(one) },
          {
            weight: 1,
            arbitrary: fc
              .tuple(...parameters.map((p) => fc.oneof(valid(schemaOf(p)), boundary(schemaOf(p)), hostile)))
              .map((values) => ({ kind: 'many' as const, values })),
          },
        );
  const json = operation.requestBody?.content['application/json']?.schema;
  return fc
    .record({
      values: fc.tuple(...base),
      departure,
      sameRange: fc.boolean(),
      extra: fc.tuple(fc.constantFrom('unknown', 'kpi', 'limit', 'scope.nowhere', 'scope.'), hostile),
      auth: admin ? fc.constantFrom('token', 'token', 'token', 'token', 'none', 'wrong', 'read') : fc.constant('none'),
      body: json && method === 'post' ? fc.option(body(json), { freq: 10 }) : fc.constant(null),
    })
    .map(({ values, departure: d, sameRange, extra, auth, body: text }) => {
      const chosen: Array<string | null> = values.map((v) => v ?? null);
      if (d.kind === 'one') chosen[d.at] = d.value;
      if (d.kind === 'many') d.values.forEach((v, i) => (chosen[i] = v));
      const from = parameters.findIndex((p) => p.name === 'from');
      const to = parameters.findIndex((p) => p.name === 'to');
      if (sameRange && from >= 0 && to >= 0 && chosen[from] !== null) chosen[to] = chosen[from] ?? null;
      const request: Request = { path, query: [], headers: {} };
      parameters.forEach((p, i) => {
        const v = chosen[i];
        if (v === null || v === undefined) return;
        if (p.in === 'path') request.path = request.path.replace(`{${p.name}}`, pathSegment(v));
        else if (p.in === 'header') request.headers[p.name] = v.replace(/[^\x20-\x7e]/g, '');
        else request.query.push([p.name, v]);
      });
      if (d.kind === 'many') request.query.push(extra);
      if (auth === 'token') request.headers.authorization = `Bearer ${TOKEN}`;
      if (auth === 'wrong') request.headers.authorization = `Bearer ${TOKEN.slice(0, -1)}x`;
      if (auth === 'read') request.headers.authorization = `Bearer ${readToken}`;
      if (text !== null && text !== undefined) {
        request.body = text;
        request.headers['content-type'] = 'application/json';
      }
      return request;
    });
}

describe('the api under generated requests: every OpenAPI route, no 5xx, every answer as documented', () => {
  const db = useTestDatabase();
  let app: INestApplication;
  let base: string;
  let document: { paths: Record<string, Record<string, Operation>> };
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);

  beforeAll(async () => {
    const arrival = (day: string, nationality: string) =>
      buildEvent.arrivalRecorded(
        { nationality, port: 'ala-airport', purpose: 'tourism', travelers: 3, destination: 'almaty' },
        { occurredAt: `${day}T12:00:00+05:00` },
      );
    await storeEvents(db().pool, [
      arrival('2023-06-01', 'CN'),
      arrival('2024-06-01', 'CN'),
      arrival('2024-06-02', 'KZ'),
      buildEvent.mediaViewsReported(
        { platform: 'douyin', campaign: 'silk-road', market: 'CN', views: 1_000 },
        { occurredAt: '2024-06-01T09:00:00+05:00' },
      ),
    ]);
    await projectAll(db().pool, { timeZone: 'Asia/Almaty' });
    await publishSnapshotsOnce(db().pool, 'Asia/Almaty');
    await db().pool.query(
      `INSERT INTO rejections (consumer_group, source_topic, source_partition, source_offset, record_value, code, detail)
       VALUES ('caravan-ingest', 'tourism.arrivals', 0, 1, $1, 'malformed_json', 'fuzz seed')`,
      [Buffer.from('{"broken"')],
    );
    const created = await createAdminToken(db().pool, 'fuzz-reader', ['read']);
    if ('refused' in created) throw new Error(created.refused);
    readToken = created.token;
    // No rate limit: the fuzz is to reach the handlers (the limit has its own spec, admin-tokens.int.spec.ts).
    app = await createApiApp(
      appEnv(db().url, { ADMIN_TOKEN: TOKEN, ADMIN_RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'fatal' }),
    );
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    document = (await (await fetch(`${base}/openapi.json`)).json()) as typeof document;
    ajv.addSchema(document, 'openapi');
  });
  afterAll(async () => {
    await app?.close();
  });

  /** Sends a request and checks the answer against the document. */
  async function check(
    route: string,
    method: string,
    operation: Operation,
    request: Request,
  ): Promise<{ status: number; problems: string[] }> {
    const sent = await send(method, request);
    return { status: sent.status, problems: problemsOf(route, method, operation, sent) };
  }

  type Sent = { status: number; what: string; mediaType: string; text: string | undefined };

  /** Sends the request; a stream's body is not read (it would not end). */
  async function send(method: string, request: Request): Promise<Sent> {
    const url = new URL(`${base}${request.path}`);
    for (const [k, v] of request.query) url.searchParams.append(k, v);
    const controller = new AbortController();
    const response = await fetch(url, {
      method: method.toUpperCase(),
      headers: request.headers,
      body: request.body,
      signal: controller.signal,
    });
    const what = `${method.toUpperCase()} ${url.pathname}${url.search.slice(0, 300)} → ${response.status}`;
    if (process.env.FUZZ_LOG) process.stdout.write(`${what}\n`);
    const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
    if (mediaType === 'text/event-stream') {
      controller.abort();
      return { status: response.status, what, mediaType, text: undefined };
    }
    return { status: response.status, what, mediaType, text: await response.text() };
  }

  /** What is wrong with an answer: a server error, a status, media type or body the document does not list. */
  function problemsOf(route: string, method: string, operation: Operation, sent: Sent): string[] {
    const { status, what, mediaType, text } = sent;
    const problems: string[] = [];
    // The probes answer 503 by design when what they check is down.
    if (status >= 500 && !['/health/ready', '/health/live', '/v1/pipeline'].includes(route))
      problems.push(`${what}: a server error`);
    const documented = operation.responses[String(status)];
    if (!documented) return [...problems, `${what}: status not in the document (${text?.slice(0, 200)})`];
    if (!documented.content?.[mediaType]) return [...problems, `${what}: ${mediaType} not documented for it`];
    if (mediaType !== 'application/json' || text === undefined) return problems;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return [...problems, `${what}: not JSON: ${text.slice(0, 200)}`];
    }
    const pointer = ['paths', route, method, 'responses', String(status), 'content', mediaType, 'schema']
      .map((part) => part.replace(/~/g, '~0').replace(/\//g, '~1'))
      .join('/');
    const validate = ajv.getSchema(`openapi#/${pointer}`);
    if (!validate) return [...problems, `${what}: no schema at ${pointer}`];
    if (!validate(parsed))
      problems.push(`${what}: body not as documented: ${ajv.errorsText(validate.errors)}: ${text.slice(0, 300)}`);
    return problems;
  }

  it('refuses dates and instants PostgreSQL would refuse with a 400 naming the parameter (they were 500s)', async () => {
    const admin = { authorization: `Bearer ${TOKEN}` };
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      ['/v1/kpis/series?kpi=arrivals&from=0000-01-01&to=0000-02-01&granularity=day', {}, /^from: /],
      ['/v1/kpis/series?kpi=arrivals&from=1969-12-31&to=1970-01-02', {}, /^from: /],
      ['/v1/admin/rejections?from=2024-06-01T00:00:00%2B16:00', admin, /^from: /],
      ['/v1/admin/rejections?to=0000-01-01T00:00:00Z', admin, /^to: /],
      ['/v1/kpis?scope.nationality=%00', {}, /^scope\.nationality: /],
    ];
    for (const [path, headers, message] of cases) {
      const response = await fetch(`${base}${path}`, { headers });
      const answer = (await response.json()) as { message: string };
      expect([path, response.status]).toEqual([path, 400]);
      expect(answer.message).toMatch(message);
    }
    // The edges themselves are taken.
    const edges = await fetch(`${base}/v1/kpis/series?kpi=arrivals&from=9999-12-31&to=9999-12-31`);
    expect(edges.status).toBe(200);
    const first = await fetch(`${base}/v1/admin/rejections?from=1970-01-01T00:00:00-15:59`, { headers: admin });
    expect(first.status).toBe(200);
  });

  it('answers every generated request to every route without a server error and as documented', async () => {
    const routes = Object.entries(document.paths).flatMap(([route, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ route, method, operation })),
    );
    expect(routes.length).toBeGreaterThanOrEqual(15);
    let sent = 0;
    const statuses = new Map<number, number>();
    for (const { route, method, operation } of routes) {
      await fc.assert(
        fc.asyncProperty(requests(route, method, operation), async (request) => {
          const { status, problems } = await check(route, method, operation, request);
          sent += 1;
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          expect(problems).toEqual([]);
        }),
        { numRuns: RUNS_PER_ROUTE, endOnFailure: false },
      );
    }
    // What was sent, for the closing note: requests, routes, answers by status (all below 500).
    const answers = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`);
    process.stdout.write(`[api fuzz] ${sent} requests to ${routes.length} routes; answers ${answers.join(', ')}\n`);
    expect(sent).toBeGreaterThanOrEqual(routes.length * RUNS_PER_ROUTE);
  });
});
