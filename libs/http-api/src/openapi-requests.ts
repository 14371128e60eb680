import { PROJECTION_NAMES } from '@caravan/contract';
import { REQUEST_STATUSES } from '@caravan/requests';

/** The OpenAPI paths of the rebuilds and replays the api asks the projector and the ingestor for. */

const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});
const json = (schema: unknown, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
const count = { type: 'integer', minimum: 0 };
const time = { type: 'string', format: 'date-time' };
const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };

const status = {
  type: 'string',
  enum: [...REQUEST_STATUSES],
  description:
    'requested: no executor has taken it yet (it runs when one does); running; done; failed (error says why)',
};
const common = {
  id: { type: 'string', format: 'uuid' },
  status,
  requestedAt: time,
  startedAt: { ...time, description: 'when an executor took it; absent while requested' },
  finishedAt: time,
  error: { type: 'string' },
  executedBy: { type: 'string', description: 'the app instance that runs or ran it: <app>@<host>:<pid>' },
};
const outcome = {
  type: 'object',
  required: ['rejectionId', 'outcome'],
  properties: {
    rejectionId: { type: 'string' },
    outcome: { type: 'string', enum: ['accepted', 'duplicate', 'rejected'] },
    code: { type: 'string', description: 'rejected again: the code' },
    detail: { type: 'string' },
  },
};
const rebuildJob = {
  type: 'object',
  required: ['id', 'projection', 'status', 'requestedAt', 'eventsReplayed'],
  properties: {
    ...common,
    projection: { type: 'string', enum: [...PROJECTION_NAMES] },
    eventsReplayed: count,
    report: {
      type: 'object',
      description: 'once done: rows on which the rebuilt and the live tables differed, whether it swapped',
      properties: {
        projection: { type: 'string' },
        eventsReplayed: count,
        differences: { type: 'array', items: { type: 'object' } },
        swapped: { type: 'boolean' },
        setAside: count,
      },
    },
  },
};
const replayJob = {
  type: 'object',
  required: ['id', 'status', 'requestedAt', 'replayed', 'outcomes'],
  properties: {
    ...common,
    replayed: count,
    outcomes: { type: 'array', items: outcome, description: 'so far; all of them once done' },
  },
};

export const requestPaths = (replayBody: unknown) => ({
  '/v1/admin/rejections/replay': {
    post: {
      summary:
        'Re-validate unresolved rejections (by ids or code) against the current schemas, in the ingestor; ' +
        'each outcome is recorded, a replayed event is counted once. Waits up to 30 s for the ingestor to finish ' +
        '(5 s for it to take the request; none running: no wait): 200 with the outcomes, else 202 with where to ' +
        'follow it',
      description: 'Scope: replay.',
      security: [{ admin: ['replay'] }],
      requestBody: { content: { 'application/json': { schema: replayBody } } },
      responses: {
        200: json({
          type: 'object',
          required: ['outcomes'],
          properties: { outcomes: { type: 'array', items: outcome } },
        }),
        202: json(
          {
            type: 'object',
            required: ['id', 'status', 'statusUrl', 'message'],
            properties: {
              id: common.id,
              status,
              statusUrl: { type: 'string', description: '/v1/admin/replays/{id}' },
              message: { type: 'string' },
            },
          },
          'not finished within the wait: the request stays, an ingestor runs it',
        ),
        400: error('the body is invalid'),
        500: error('the ingestor failed to replay (the message says why)'),
      },
    },
  },
  '/v1/admin/replays/{id}': {
    get: {
      summary: "A replay's progress (rejections replayed, their outcomes so far), then all its outcomes",
      description: 'Scope: read.',
      security: [{ admin: ['read'] }],
      parameters: [idParameter],
      responses: { 200: json(replayJob), 404: error('no such replay') },
    },
  },
  '/v1/admin/projections/{name}/rebuild': {
    post: {
      summary:
        'Ask the projector to rebuild a projection into shadow tables while queries keep being served, compare, ' +
        'swap; answers 202 with the job as it stands once a projector has taken it (running, or done or failed ' +
        'when it ended already), else requested: after 2 s when no projector took it, at once when none runs',
      description: 'Scope: rebuild.',
      security: [{ admin: ['rebuild'] }],
      parameters: [
        { name: 'name', in: 'path', required: true, schema: { type: 'string', enum: [...PROJECTION_NAMES] } },
      ],
      responses: {
        202: json(rebuildJob, 'asked for'),
        404: error('no such projection'),
      },
    },
  },
  '/v1/admin/rebuilds/{id}': {
    get: {
      summary: "A rebuild's progress (events replayed), then its report and whether it swapped; from any api instance",
      description: 'Scope: rebuild.',
      security: [{ admin: ['rebuild'] }],
      parameters: [idParameter],
      responses: { 200: json(rebuildJob), 404: error('no such rebuild') },
    },
  },
});
