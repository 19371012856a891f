import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import { YuchiError } from '../../core/errors.ts';
import { MAX_EVENTS_PER_BATCH, STANDARD_EVENT_TYPES } from '../../core/ingest/events.rules.ts';
import { ingestEvents } from '../../core/ingest/ingest.service.ts';
import { actorOf } from '../auth.ts';
import { ErrorResponse, protectedErrors } from '../schemas.ts';

export const Rejected = z.array(z.object({ index: z.number().int(), code: z.string(), message: z.string() }))
  .describe('items not stored, by their index in the batch, with a code (missing_id, missing_type, missing_customer, invalid_customer, invalid_timestamp, negative_amount, invalid_properties, unknown_customer, unknown_staff, unknown_store, order_conflict, ...) and a message');

const IngestResult = z.object({
  accepted: z.number().int(),
  duplicates: z.number().int().describe('events whose id was ingested before (a retried batch), or repeated within the batch'),
  rejected: Rejected,
});

export function eventRoutes(app: FastifyInstance, db: Db): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/api/v1/events', {
    config: { permission: 'events:write' },
    schema: {
      tags: ['events'],
      summary: 'Ingest a batch of customer events',
      description: [
        `Up to ${MAX_EVENTS_PER_BATCH} events: \`{ id, type, occurredAt, customer: { customerId | externalUserId | unionId | openId | phone | memberNo }, properties, source? }\`.`,
        '`id` is the idempotency key: a retried batch is accepted again without duplicates. A 200 means the accepted events are committed.',
        'Each event is checked alone: bad ones are listed in `rejected` and nothing is stored for them, while the good ones of the batch are accepted.',
        'Unknown customers are created; an event naming identities of two profiles merges them.',
        `Standard types: ${STANDARD_EVENT_TYPES.join(', ')}; other types are stored as they are.`,
      ].join(' '),
      body: z.object({ events: z.array(z.unknown()) }),
      response: { 200: IngestResult, 413: ErrorResponse, ...protectedErrors },
    },
  }, async (request) => {
    const { events } = request.body;
    // Counted before any item is looked at, so an oversized batch costs nothing.
    if (events.length > MAX_EVENTS_PER_BATCH) {
      throw new YuchiError('too_large', `a batch holds at most ${MAX_EVENTS_PER_BATCH} events; this one has ${events.length}`);
    }
    return ingestEvents(db, actorOf(request), events);
  });
}
