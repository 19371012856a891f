// Segments (人群): preview a definition, save and version it, read members, versions and size over
// time, recompute. Reading needs analytics:read, changing segments:write.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import {
  archiveSegment, createSegment, getSegment, listSegments, previewSegment, recomputeSegment, segmentMembers, segmentSizes, segmentVersions, updateSegment,
} from '../../core/segments/segments.service.ts';
import { actorOf } from '../auth.ts';
import { CustomerSummary } from '../customer-schemas.ts';
import { ErrorResponse, IdParams, Instant, PageQuery, pageOf, protectedErrors } from '../schemas.ts';

const DEFINITION_DOC = 'A definition: `{ "all": [node] }`, `{ "any": [node] }`, `{ "not": node }` or a condition `{ field, op, value }`. '
  + 'Fields: gender, city, source_channel, birthday_month, days_until_birthday, created_at, order_count, order_days, total_spent_fen, '
  + 'average_ticket_fen, first_order_at, last_order_at, store_id, guide_id, tags (has_any|has_all|has_none [tagId]), identity (has|has_not kind), '
  + 'event ({ type, withinDays?, properties?, op: eq|gt|gte|lt|lte, value: count }), group (in|not_in groupId, in_any, in_none), '
  + 'rfm_cell, r_score, f_score, m_score, lifecycle_stage, value_tier, p_alive, churn_probability, clv_fen (a customer without scores matches none), '
  + 'segment (in|not_in segmentId), random_bucket ({ salt, op: between, value: [0, 9] }). Numbers: eq neq gt gte lt lte between; '
  + 'times: within_days, not_within_days, before, after, between (dates in the tenant zone), exists, not_exists. '
  + 'Example: `{ "all": [ { "field": "event", "type": "group_joined", "withinDays": 30, "op": "gte", "value": 2 }, { "field": "last_order_at", "op": "not_within_days", "value": 30 } ] }`.';

const Definition = z.unknown().describe(DEFINITION_DOC);

const Segment = z.object({
  id: z.string(), name: z.string(), description: z.string(), definition: Definition, version: z.number().int(),
  status: z.enum(['active', 'archived']), size: z.number().int().describe('members now'), createdBy: z.string(), createdAt: Instant, updatedAt: Instant,
});

const NewSegment = z.object({
  name: z.string().trim().min(1).max(100),
  description: z.string().max(500).optional(),
  definition: Definition,
}).strict();

const SegmentPatch = NewSegment.partial().strict();

const Version = z.object({ version: z.number().int(), name: z.string(), definition: Definition, createdBy: z.string(), createdAt: Instant });
const Change = z.object({ segmentId: z.string(), entered: z.number().int(), exited: z.number().int() });

export function segmentRoutes(app: FastifyInstance, db: Db): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/api/v1/segments/preview', {
    config: { permission: 'analytics:read' },
    schema: {
      tags: ['segments'], summary: 'Count and sample the customers a definition matches, without saving', description: DEFINITION_DOC,
      body: z.object({ definition: Definition }).strict(),
      response: { 200: z.object({ count: z.number().int(), sample: z.array(CustomerSummary) }), ...protectedErrors },
    },
  }, async (request) => previewSegment(db, actorOf(request), request.body.definition));

  r.get('/api/v1/segments', {
    config: { permission: 'analytics:read' },
    schema: {
      tags: ['segments'], summary: 'Segments with their member counts, latest changed first',
      querystring: z.object({ status: z.enum(['active', 'archived']).optional() }),
      response: { 200: z.object({ items: z.array(Segment) }), ...protectedErrors },
    },
  }, async (request) => ({ items: await listSegments(db, actorOf(request).tenantId, request.query) }));

  r.post('/api/v1/segments', {
    config: { permission: 'segments:write' },
    schema: {
      tags: ['segments'], summary: 'Save a segment; its members are computed at once', description: DEFINITION_DOC,
      body: NewSegment, response: { 201: Segment, 409: ErrorResponse, ...protectedErrors },
    },
  }, async (request, reply) => reply.status(201).send(await createSegment(db, actorOf(request), request.body)));

  r.get('/api/v1/segments/:id', {
    config: { permission: 'analytics:read' },
    schema: { tags: ['segments'], summary: 'One segment', params: IdParams, response: { 200: Segment, ...protectedErrors } },
  }, async (request) => getSegment(db, actorOf(request).tenantId, request.params.id));

  r.patch('/api/v1/segments/:id', {
    config: { permission: 'segments:write' },
    schema: {
      tags: ['segments'], summary: 'Rename or redefine a segment',
      description: 'A changed definition becomes a new version (the old one is kept) and membership is recomputed, entries and exits on the timeline.',
      params: IdParams, body: SegmentPatch, response: { 200: Segment, 409: ErrorResponse, ...protectedErrors },
    },
  }, async (request) => updateSegment(db, actorOf(request), request.params.id, request.body));

  r.delete('/api/v1/segments/:id', {
    config: { permission: 'segments:write' },
    schema: {
      tags: ['segments'], summary: 'Archive a segment', description: 'Refused (409) while an active segment refers to it.',
      params: IdParams, response: { 204: z.null(), 409: ErrorResponse, ...protectedErrors },
    },
  }, async (request, reply) => {
    await archiveSegment(db, actorOf(request), request.params.id);
    return reply.status(204).send(null);
  });

  r.get('/api/v1/segments/:id/members', {
    config: { permission: 'analytics:read' },
    schema: { tags: ['segments'], summary: 'Members now, newest customers first', params: IdParams, querystring: PageQuery, response: { 200: pageOf(CustomerSummary), ...protectedErrors } },
  }, async (request) => segmentMembers(db, actorOf(request), request.params.id, request.query));

  r.get('/api/v1/segments/:id/versions', {
    config: { permission: 'analytics:read' },
    schema: { tags: ['segments'], summary: 'Every version of the definition, newest first', params: IdParams, response: { 200: z.object({ items: z.array(Version) }), ...protectedErrors } },
  }, async (request) => ({ items: await segmentVersions(db, actorOf(request).tenantId, request.params.id) }));

  r.get('/api/v1/segments/:id/sizes', {
    config: { permission: 'analytics:read' },
    schema: {
      tags: ['segments'], summary: 'Size per day (tenant zone) over the last days', params: IdParams,
      querystring: z.object({ days: z.coerce.number().int().min(1).max(730).default(90) }),
      response: { 200: z.object({ items: z.array(z.object({ day: z.string(), size: z.number().int() })) }), ...protectedErrors },
    },
  }, async (request) => ({ items: await segmentSizes(db, actorOf(request).tenantId, request.params.id, request.query.days) }));

  r.post('/api/v1/segments/:id/recompute', {
    config: { permission: 'segments:write' },
    schema: { tags: ['segments'], summary: 'Evaluate the segment over every customer now', params: IdParams, response: { 200: Change, ...protectedErrors } },
  }, async (request) => recomputeSegment(db, actorOf(request).tenantId, request.params.id));
}
