// Journeys (自动化旅程): CRUD of drafts, checks, publish as a new version, pause/resume/archive,
// versions, per-node statistics, ready-made templates, and one customer's journeys. Reading needs
// analytics:read, changing journeys:write; a customer's journeys follow customers:read (a guide:
// their own customers).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import { visibleCustomerIds } from '../../core/customers/customers.service.ts';
import { notFound } from '../../core/errors.ts';
import { UUID_PATTERN } from '../../core/ids.ts';
import { checkGraph, JOURNEY_PROBLEM_CODES } from '../../core/journeys/journeys.rules.ts';
import { SCHEMA_ISSUE_CODES } from '../../core/zod-details.ts';
import {
  createJourney, getJourney, journeyVersions, listJourneys, publishJourney, setJourneyStatus, updateJourney,
} from '../../core/journeys/journeys.service.ts';
import { customerJourneys, journeyStats } from '../../core/journeys/stats.service.ts';
import { JOURNEY_TEMPLATES } from '../../core/journeys/templates.ts';
import { actorOf } from '../auth.ts';
import { ErrorResponse, IdParams, Instant, protectedErrors } from '../schemas.ts';

const GRAPH_DOC = 'A graph `{ nodes, edges, goal, reEntry }`. Nodes: entry (trigger event|segment|date|schedule), wait (duration|until_time|event with timeout), '
  + 'condition (a segment definition; ports yes/no), split (branches with weights; a port per branch key), holdout (percent), send_message (channel, text with '
  + '{{name}} {{city}} {{store}} {{guide}} {{coupon_code}} {{journey}} {{event.<property>}}), add_tag, remove_tag, grant_coupon, invite_group, guide_task, webhook, exit. '
  + 'Edges `{ from, to, port }` (port next unless the node branches).';
const Graph = z.unknown().describe(GRAPH_DOC);

const Journey = z.object({
  id: z.string(), name: z.string(), description: z.string(), status: z.enum(['draft', 'live', 'paused', 'archived']),
  draft: Graph, liveVersion: z.number().int().nullable(), activeInstances: z.number().int(), createdBy: z.string(), createdAt: Instant, updatedAt: Instant,
});
const NewJourney = z.object({ name: z.string().trim().min(1).max(100), description: z.string().max(500).optional(), graph: Graph }).strict();
const Problem = z.object({
  nodeId: z.string().optional(), path: z.string(), message: z.string(),
  code: z.enum([...JOURNEY_PROBLEM_CODES, ...SCHEMA_ISSUE_CODES]).optional(),
  vars: z.record(z.string(), z.string()).optional(),
});
const NodeStats = z.object({
  nodeId: z.string(), entered: z.number().int(), waiting: z.number().int(), passed: z.number().int(), converted: z.number().int(),
  ports: z.record(z.string(), z.number().int()),
});

export function journeyRoutes(app: FastifyInstance, db: Db): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/journeys', {
    config: { permission: 'analytics:read' },
    schema: { tags: ['journeys'], summary: 'Journeys, latest changed first', response: { 200: z.object({ items: z.array(Journey) }), ...protectedErrors } },
  }, async (request) => ({ items: await listJourneys(db, actorOf(request).tenantId) }));

  r.get('/api/v1/journeys/templates', {
    config: { permission: 'analytics:read' },
    schema: {
      tags: ['journeys'], summary: 'Ready-made journeys to start from',
      response: { 200: z.object({ items: z.array(z.object({ key: z.string(), name: z.string(), description: z.string(), graph: Graph })) }), ...protectedErrors },
    },
  }, async () => ({ items: JOURNEY_TEMPLATES }));

  r.post('/api/v1/journeys/validate', {
    config: { permission: 'analytics:read' },
    schema: {
      tags: ['journeys'], summary: 'Check a graph as publishing would (shape and meaning), without saving', description: GRAPH_DOC,
      body: z.object({ graph: Graph }).strict(),
      response: { 200: z.object({ ok: z.boolean(), problems: z.array(Problem) }), ...protectedErrors },
    },
  }, async (request) => {
    const checked = checkGraph(request.body.graph);
    return checked.ok ? { ok: true, problems: [] } : { ok: false, problems: checked.problems };
  });

  r.post('/api/v1/journeys', {
    config: { permission: 'journeys:write' },
    schema: { tags: ['journeys'], summary: 'Save a draft journey', description: GRAPH_DOC, body: NewJourney, response: { 201: Journey, ...protectedErrors } },
  }, async (request, reply) => reply.status(201).send(await createJourney(db, actorOf(request), request.body)));

  r.get('/api/v1/journeys/:id', {
    config: { permission: 'analytics:read' },
    schema: { tags: ['journeys'], summary: 'One journey with its draft', params: IdParams, response: { 200: Journey, ...protectedErrors } },
  }, async (request) => getJourney(db, actorOf(request).tenantId, request.params.id));

  r.patch('/api/v1/journeys/:id', {
    config: { permission: 'journeys:write' },
    schema: {
      tags: ['journeys'], summary: 'Edit the draft', description: 'A live journey keeps running its published version until the draft is published.',
      params: IdParams, body: NewJourney.partial().strict(), response: { 200: Journey, 409: ErrorResponse, ...protectedErrors },
    },
  }, async (request) => updateJourney(db, actorOf(request), request.params.id, request.body));

  r.post('/api/v1/journeys/:id/publish', {
    config: { permission: 'journeys:write' },
    schema: {
      tags: ['journeys'], summary: 'Publish the draft as a new version',
      description: 'Refused (400) with a detail per problem, each path naming its node: `graph.nodes.<id>`. Running instances stay on their version.',
      params: IdParams, response: { 200: Journey.extend({ version: z.number().int() }), 409: ErrorResponse, ...protectedErrors },
    },
  }, async (request) => publishJourney(db, actorOf(request), request.params.id));

  for (const [action, status] of [['pause', 'paused'], ['resume', 'live'], ['archive', 'archived']] as const) {
    r.post(`/api/v1/journeys/:id/${action}`, {
      config: { permission: 'journeys:write' },
      schema: { tags: ['journeys'], summary: `${action[0]?.toUpperCase()}${action.slice(1)} the journey`, params: IdParams, response: { 200: Journey, 409: ErrorResponse, ...protectedErrors } },
    }, async (request) => setJourneyStatus(db, actorOf(request), request.params.id, status));
  }

  r.get('/api/v1/journeys/:id/versions', {
    config: { permission: 'analytics:read' },
    schema: {
      tags: ['journeys'], summary: 'Published versions, newest first', params: IdParams,
      response: { 200: z.object({ items: z.array(z.object({ version: z.number().int(), graph: Graph, publishedBy: z.string(), publishedAt: Instant })) }), ...protectedErrors },
    },
  }, async (request) => ({ items: await journeyVersions(db, actorOf(request).tenantId, request.params.id) }));

  r.get('/api/v1/journeys/:id/stats', {
    config: { permission: 'analytics:read' },
    schema: {
      tags: ['journeys'], summary: 'Per node: entered, waiting, passed, converted (reached it and met the goal), by port', params: IdParams,
      querystring: z.object({ version: z.coerce.number().int().min(1).optional() }),
      response: {
        200: z.object({
          journeyId: z.string(), version: z.number().int().nullable(),
          instances: z.object({ active: z.number().int(), completed: z.number().int(), heldOut: z.number().int(), failed: z.number().int(), converted: z.number().int() }),
          nodes: z.array(NodeStats),
        }),
        ...protectedErrors,
      },
    },
  }, async (request) => journeyStats(db, actorOf(request).tenantId, request.params.id, request.query.version));

  r.get('/api/v1/customers/:id/journeys', {
    config: { permission: 'customers:read' },
    schema: {
      tags: ['journeys'], summary: 'The journeys a customer is in or went through, with the path taken', params: IdParams,
      response: {
        200: z.object({
          items: z.array(z.object({
            instanceId: z.string(), journeyId: z.string(), journeyName: z.string(), version: z.number().int(), status: z.string(), nodeId: z.string(),
            wakeAt: Instant.nullable(), enteredAt: Instant, finishedAt: Instant.nullable(), convertedAt: Instant.nullable(),
            steps: z.array(z.object({ seq: z.number().int(), nodeId: z.string(), outcome: z.string(), at: Instant })),
          })),
        }),
        ...protectedErrors,
      },
    },
  }, async (request) => {
    const actor = actorOf(request);
    const id = request.params.id;
    const visible = UUID_PATTERN.test(id) ? await visibleCustomerIds(db, actor).where('c.id', '=', id).executeTakeFirst() : undefined;
    if (!visible) throw notFound('customer');
    return { items: await customerJourneys(db, actor.tenantId, id) };
  });
}
