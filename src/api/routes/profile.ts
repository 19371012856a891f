// The customer timeline. (The 360 itself is GET /api/v1/customers/:id in customers.ts.)
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import { customerTimeline, MAX_TIMELINE_LIMIT } from '../../core/customers/profile.service.ts';
import { actorOf } from '../auth.ts';
import { IdParams, Instant, protectedErrors } from '../schemas.ts';

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
