// The customer 360's schema (served by GET /api/v1/customers/:id in customers.ts) and the timeline.
// The schema stands alone so that customers.ts can import it without an import cycle.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import { customerTimeline, MAX_TIMELINE_LIMIT } from '../../core/customers/profile.service.ts';
import { actorOf } from '../auth.ts';
import { Fen, Gender, IdentityKind, IdParams, Instant, protectedErrors, Ref } from '../schemas.ts';

const TagSource = z.enum(['manual', 'rule', 'form', 'pretag', 'import', 'api', 'event']);
const ConsentChannel = z.enum(['wecom', 'sms', 'email', 'phone', 'miniprogram']);

export const CustomerProfile = z.object({
  id: z.string(),
  name: z.string(),
  gender: Gender,
  birthday: z.string().nullable(),
  phone: z.string().nullable(),
  memberNo: z.string().nullable(),
  city: z.string(),
  sourceChannel: z.string(),
  store: Ref.nullable(),
  guide: Ref.nullable(),
  orderCount: z.number().int(),
  orderDays: z.number().int().describe('distinct purchase days, in the tenant time zone'),
  totalSpentFen: Fen,
  averageTicketFen: Fen,
  firstOrderAt: Instant.nullable(),
  lastOrderAt: Instant.nullable(),
  createdAt: Instant,
  lastActiveAt: Instant.nullable(),
  identities: z.array(z.object({ kind: IdentityKind, value: z.string(), createdAt: Instant })),
  attributeSources: z.record(z.string(), z.object({ source: z.string(), at: Instant }))
    .describe('where each attribute value came from: the most recent value from the most trusted source wins (manual 4 > pos/import 3 > wecom/miniprogram 2 > api 1)'),
  tags: z.array(z.object({ id: z.string(), name: z.string(), color: z.string(), group: Ref, source: TagSource, addedBy: z.string().nullable(), addedAt: Instant })),
  groups: z.array(z.object({ id: z.string(), chatId: z.string(), name: z.string(), joinedAt: Instant, leftAt: Instant.nullable() })),
  contacts: z.array(z.object({ staff: Ref, state: z.string().nullable(), addedAt: Instant, deletedAt: Instant.nullable() })),
  consents: z.array(z.object({ channel: ConsentChannel, granted: z.boolean(), source: z.string(), updatedAt: Instant })),
  mergedFrom: z.object({ id: z.string(), mergedAt: Instant }).optional().describe('present when the id asked for was merged into this profile'),
});

const TimelinePage = z.object({
  items: z.array(z.object({
    id: z.string(),
    type: z.string(),
    occurredAt: Instant,
    receivedAt: Instant,
    source: z.string(),
    actor: z.string().nullable(),
    properties: z.record(z.string(), z.unknown()),
  })),
  nextCursor: z.string().nullable(),
});

export function profileRoutes(app: FastifyInstance, db: Db): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/customers/:id/timeline', {
    config: { permission: 'customers:read' },
    schema: {
      tags: ['customers'],
      summary: "A customer's timeline, newest first",
      description: 'Events, orders, tag changes, merges and consent changes. Page with `before` = the previous page\'s nextCursor. A merged-away id shows its survivor\'s timeline.',
      params: IdParams,
      querystring: z.object({
        before: z.string().max(200).optional(),
        limit: z.coerce.number().int().min(1).max(MAX_TIMELINE_LIMIT).default(50),
      }),
      response: { 200: TimelinePage, ...protectedErrors },
    },
  }, async (request) => customerTimeline(db, actorOf(request), request.params.id, request.query));
}
