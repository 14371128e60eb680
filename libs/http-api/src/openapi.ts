import { z } from 'zod';
import { DIMENSIONS, GRANULARITIES, kpiSnapshotSchema, SERIES_KPIS } from '@caravan/contract';
import { requestPaths } from './openapi-requests';
import { latestKpisQuery, rejectionsQuery, replayBody, setAsideQuery, streamQuery } from './query-params';

type Parameter = { name: string; in: 'query' | 'header'; required?: boolean; description?: string; schema: unknown };

function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
  return rest;
}

/** Query parameters from a zod object schema, each property's JSON Schema as is. */
function queryParameters(schema: z.ZodObject): Parameter[] {
  const json = z.toJSONSchema(schema, { io: 'input' }) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    schema: property,
  }));
}

const scopeParameters: Parameter[] = DIMENSIONS.map((d) => ({
  name: `scope.${d}`,
  in: 'query',
  description: `only the snapshots of the scope {"${d}": value}`,
  schema: { type: 'string', maxLength: 64 },
}));

const seriesParameters: Parameter[] = [
  { name: 'kpi', in: 'query', required: true, schema: { type: 'string', enum: [...SERIES_KPIS] } },
  {
    name: 'from',
    in: 'query',
    required: true,
    description: 'first local date, YYYY-MM-DD',
    schema: { type: 'string', format: 'date' },
  },
  {
    name: 'to',
    in: 'query',
    required: true,
    description: 'last local date, inclusive; at most 3,700 days after from',
    schema: { type: 'string', format: 'date' },
  },
  { name: 'granularity', in: 'query', schema: { type: 'string', enum: [...GRANULARITIES], default: 'day' } },
];

const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});
const json = (schema: unknown, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
/** An admin list's page: its items (records as the admin sees them) and how many match in all. */
const adminPage = () =>
  json({
    type: 'object',
    properties: { items: { type: 'array', items: { type: 'object' } }, total: { type: 'integer' } },
  });
const probe = {
  type: 'object',
  properties: { status: { type: 'string' }, app: { type: 'string' }, checks: { type: 'object' } },
};

const count = { type: 'integer', minimum: 0 };
const byCode = { type: 'object', additionalProperties: count };
const pipelineSummary = {
  type: 'object',
  required: ['readAt', 'totals', 'topics', 'consumerLag', 'projections', 'dlq'],
  properties: {
    readAt: { type: 'string', format: 'date-time' },
    totals: {
      type: 'object',
      required: ['consumed', 'accepted', 'duplicate', 'rejected', 'rejectedByCode'],
      properties: { consumed: count, accepted: count, duplicate: count, rejected: count, rejectedByCode: byCode },
    },
    topics: {
      type: 'array',
      items: {
        type: 'object',
        required: ['topic', 'consumed', 'accepted', 'duplicate', 'rejected', 'replayed'],
        properties: {
          topic: { type: 'string' },
          consumed: count,
          accepted: count,
          duplicate: count,
          rejected: {
            ...byCode,
            description: 'rejections not replayed, by code: consumed = accepted + duplicate + these',
          },
          replayed: {
            type: 'object',
            description:
              'rejections a replay turned into an accepted event or a duplicate (counted in those since), ' +
              'by original code and by outcome',
            required: ['byCode', 'accepted', 'duplicate'],
            properties: { byCode, accepted: count, duplicate: count },
          },
        },
      },
    },
    consumerLag: {
      type: ['integer', 'null'],
      minimum: 0,
      description: 'records on the inbound topics not consumed yet; null when Kafka did not answer',
    },
    projections: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'lagEvents', 'lagSeconds', 'setAside'],
        properties: { name: { type: 'string' }, lagEvents: count, lagSeconds: { type: 'number' }, setAside: count },
      },
    },
    dlq: { type: 'object', required: ['pending', 'refused'], properties: { pending: count, refused: count } },
    snapshotAgeSeconds: {
      type: 'number',
      description: 'seconds since the newest snapshot was computed; absent before the first',
    },
  },
};

type Operation = {
  parameters?: Array<{ in: string }>;
  requestBody?: unknown;
  security?: unknown[];
  responses: Record<string, unknown>;
};

/** An admin route's answers before its handler runs: no valid token, a token without the scope, the rate limit. */
const adminAnswers = {
  401: error('no valid admin token'),
  403: error("the token lacks the route's scope"),
  429: {
    ...error(
      'too many admin requests from this token (or, without a valid token, this address): ADMIN_RATE_LIMIT_PER_MINUTE',
    ),
    headers: {
      'Retry-After': { description: 'seconds until a request is allowed', schema: { type: 'integer', minimum: 1 } },
    },
  },
};

/**
 * The answers any route may give before its handler runs: a URL over HTTP_URL_LIMIT_BYTES (414),
 * a path parameter that is not valid percent-encoding (400), a body over HTTP_BODY_LIMIT_BYTES (413);
 * on an admin route, the token's (401, 403) and the rate limit's (429).
 */
function withCommonAnswers<P extends Record<string, Record<string, Operation>>>(paths: P): P {
  for (const operation of Object.values(paths).flatMap((methods) => Object.values(methods))) {
    const answers: Record<string, unknown> = { 414: error('the URL is longer than HTTP_URL_LIMIT_BYTES') };
    if (operation.parameters?.some((p) => p.in === 'path'))
      answers[400] = error('a path parameter is not valid percent-encoded UTF-8');
    if (operation.requestBody) answers[413] = error('the body is larger than HTTP_BODY_LIMIT_BYTES');
    if (operation.security) Object.assign(answers, adminAnswers);
    operation.responses = { ...answers, ...operation.responses };
  }
  return paths;
}

/** The API's OpenAPI 3.1 document, from the same zod schemas that validate the requests. */
export function openApiDocument(): Record<string, unknown> {
  const snapshot = { ...z.toJSONSchema(kpiSnapshotSchema, { io: 'input' }) } as Record<string, unknown>;
  delete snapshot.$schema;
  return {
    openapi: '3.1.0',
    info: {
      title: 'Caravan API',
      version: '1.3.0',
      description:
        'Latest KPI snapshots, their live stream and time series from the daily aggregates. ' +
        'Every error is JSON; a bad parameter is a 400 naming it.',
    },
    paths: withCommonAnswers({
      '/v1/kpis': {
        get: {
          summary: 'The latest snapshots, filtered and paginated',
          parameters: [...queryParameters(latestKpisQuery), ...scopeParameters],
          responses: {
            200: json({
              type: 'object',
              required: ['items', 'total', 'limit', 'offset'],
              properties: {
                items: { type: 'array', items: { $ref: '#/components/schemas/KpiSnapshot' } },
                total: { type: 'integer' },
                limit: { type: 'integer' },
                offset: { type: 'integer' },
              },
            }),
            400: error('a parameter is invalid'),
          },
        },
      },
      '/v1/kpis/series': {
        get: {
          summary: 'A KPI per day, ISO week (starting Monday) or month, zero-filled, from the daily aggregates',
          parameters: [...seriesParameters, ...scopeParameters],
          responses: {
            200: json({
              type: 'object',
              properties: {
                kpi: { type: 'string' },
                granularity: { type: 'string' },
                from: { type: 'string' },
                to: { type: 'string' },
                scope: { type: 'object' },
                points: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['period', 'value'],
                    properties: { period: { type: 'string', format: 'date' }, value: { type: 'number' } },
                  },
                },
              },
            }),
            400: error('a parameter is invalid'),
          },
        },
      },
      '/v1/kpis/stream': {
        get: {
          summary:
            'Server-Sent Events of snapshots: `snapshot` events (id = history id), ' +
            'one `caught-up` event after the current ones, heartbeat comments',
          parameters: [
            ...queryParameters(streamQuery),
            ...scopeParameters,
            {
              name: 'Last-Event-ID',
              in: 'header',
              description: 'resume after this history id, without loss',
              schema: { type: 'string', pattern: '^\\d{1,18}$' },
            },
          ],
          responses: {
            200: { description: 'an event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } },
            400: error('a parameter is invalid'),
          },
        },
      },
      '/v1/admin/rejections': {
        get: {
          summary: 'Rejected records by code and time, with their original bytes (base64)',
          description: 'Scope: read.',
          security: [{ admin: ['read'] }],
          parameters: queryParameters(rejectionsQuery),
          responses: {
            200: adminPage(),
            400: error('a parameter is invalid'),
          },
        },
      },
      '/v1/admin/projections/set-aside': {
        get: {
          summary:
            'Events a projection could not apply and set aside (projection, position, eventId, type, the error), ' +
            'newest first; a rebuild applies them again once the cause is fixed',
          description: 'Scope: read.',
          security: [{ admin: ['read'] }],
          parameters: queryParameters(setAsideQuery),
          responses: {
            200: adminPage(),
            400: error('a parameter is invalid'),
          },
        },
      },
      ...requestPaths(jsonSchemaOf(replayBody)),
      '/v1/admin/counters': {
        get: {
          summary: 'consumed = accepted + duplicate + rejected, per topic',
          description: 'Scope: read.',
          security: [{ admin: ['read'] }],
          responses: { 200: json({ type: 'object' }) },
        },
      },
      '/v1/pipeline': {
        get: {
          summary:
            "The pipeline's health in aggregates (no record contents, no token): counts, rejections by code, " +
            'consumer and projection lag, snapshot age, dead letters; shared by every caller for 2 s',
          responses: { 200: json(pipelineSummary), 503: error('PostgreSQL is away') },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics',
          responses: {
            200: { description: 'Prometheus text', content: { 'text/plain': { schema: { type: 'string' } } } },
          },
        },
      },
      '/health/live': {
        get: {
          summary:
            "Liveness: the process and its background loops (the ingestor's consumer, dead-letter relay, " +
            'offset watch) run; 503 names the ones that stopped or stalled',
          responses: {
            200: json(probe),
            503: json(
              {
                type: 'object',
                properties: { status: { const: 'down' }, failing: { type: 'array', items: { type: 'object' } } },
              },
              'a loop stopped or stalled',
            ),
          },
        },
      },
      '/health/ready': {
        get: {
          summary: 'Readiness: PostgreSQL, migrations, Kafka',
          responses: { 200: json(probe), 503: json(probe, 'not ready') },
        },
      },
      '/openapi.json': { get: { summary: 'This document', responses: { 200: json({ type: 'object' }) } } },
    }),
    components: {
      securitySchemes: {
        admin: {
          type: 'http',
          scheme: 'bearer',
          description:
            'A named token made with `caravan admin tokens create` (cvn_<id>_<secret>), allowed the scopes it was ' +
            'given: read (GET rejections, set-aside, counters, replays/{id}), replay (POST rejections/replay), ' +
            'rebuild (POST projections/{name}/rebuild, GET rebuilds/{id}); a missing scope is a 403. ADMIN_TOKEN, ' +
            'the development and bootstrap token, has every scope. Requests are limited per token (per address ' +
            'without a valid one) to ADMIN_RATE_LIMIT_PER_MINUTE in each api process (429 with Retry-After); ' +
            'every admin request is audited.',
        },
      },
      schemas: {
        KpiSnapshot: snapshot,
        Error: {
          type: 'object',
          required: ['statusCode', 'error', 'message'],
          properties: { statusCode: { type: 'integer' }, error: { type: 'string' }, message: {} },
        },
      },
    },
  };
}
