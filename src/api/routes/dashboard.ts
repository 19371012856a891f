import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import { resolveRange } from '../../core/dashboard/dashboard.rules.ts';
import { localDate } from '../../core/time.ts';
import { dashboardSummary } from '../../core/dashboard/dashboard.service.ts';
import { actorOf } from '../auth.ts';
import { CalendarDate, Fen, Id, protectedErrors } from '../schemas.ts';

const Summary = z.object({
  range: z.object({ from: z.string(), to: z.string() }),
  customers: z.object({ total: z.number().int(), withOrders: z.number().int(), newInRange: z.number().int() }),
  orders: z.object({
    count: z.number().int(), gmvFen: Fen, averageTicketFen: Fen,
    buyers: z.number().int().describe('distinct customers who ordered in the range'),
    repeatBuyers: z.number().int().describe('buyers who ordered on at least 2 distinct days in the range'),
  }),
  gmvByMonth: z.array(z.object({ month: z.string(), gmvFen: Fen, orders: z.number().int(), buyers: z.number().int() })),
  topStores: z.array(z.object({ storeId: z.string(), name: z.string(), gmvFen: Fen, orders: z.number().int(), buyers: z.number().int() })),
  channels: z.array(z.object({ channel: z.string(), gmvFen: Fen, orders: z.number().int() })),
});

export function dashboardRoutes(app: FastifyInstance, db: Db): void {
  app.withTypeProvider<ZodTypeProvider>().get('/api/v1/dashboard/summary', {
    config: { permission: 'analytics:read' },
    schema: {
      tags: ['analytics'],
      summary: 'Home dashboard figures',
      description: 'Dates are calendar dates in the tenant time zone, inclusive; by default the 12 months up to today. GMV is paid minus refunded, over orders not fully refunded.',
      querystring: z.object({ from: CalendarDate.optional(), to: CalendarDate.optional(), storeId: Id.optional() }),
      response: { 200: Summary, ...protectedErrors },
    },
  }, async (request) => {
    const actor = actorOf(request);
    const range = resolveRange(request.query, localDate(new Date(), actor.timezone));
    return dashboardSummary(db, actor, range, { storeId: request.query.storeId });
  });
}
