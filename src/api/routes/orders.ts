import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import { getOrder, listOrders } from '../../core/orders/orders.service.ts';
import { isCalendarDate } from '../../core/dashboard/dashboard.rules.ts';
import { invalid } from '../../core/errors.ts';
import { nextDate, startOfLocalDay } from '../../core/time.ts';
import { actorOf } from '../auth.ts';
import { CalendarDate, Fen, Id, IdParams, Instant, OrderChannel, OrderStatus, PageQuery, pageOf, protectedErrors, Ref } from '../schemas.ts';

export const Order = z.object({
  id: z.string(),
  orderNo: z.string(),
  customer: Ref.nullable(),
  store: Ref.nullable(),
  staff: Ref.nullable(),
  channel: OrderChannel,
  status: OrderStatus,
  totalFen: Fen,
  discountFen: Fen,
  paidFen: Fen,
  refundedFen: Fen,
  orderedAt: Instant,
  items: z.array(z.object({ lineNo: z.number().int(), sku: z.string(), name: z.string(), quantity: z.number().int(), unitPriceFen: Fen, amountFen: Fen })),
});

export function orderRoutes(app: FastifyInstance, db: Db): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/orders', {
    config: { permission: 'orders:read' },
    schema: {
      tags: ['orders'],
      summary: 'List orders, newest first',
      description: 'from and to are calendar dates in the tenant time zone, both inclusive.',
      querystring: PageQuery.extend({ customerId: Id.optional(), storeId: Id.optional(), from: CalendarDate.optional(), to: CalendarDate.optional() }),
      response: { 200: pageOf(Order), ...protectedErrors },
    },
  }, async (request) => {
    const actor = actorOf(request);
    const { page, pageSize, from, to, ...filter } = request.query;
    if (from !== undefined && !isCalendarDate(from)) throw invalid('query.from', 'is not a calendar date');
    if (to !== undefined && !isCalendarDate(to)) throw invalid('query.to', 'is not a calendar date');
    if (from !== undefined && to !== undefined && from > to) throw invalid('query.from', 'must not be after to');
    return listOrders(db, actor, {
      ...filter,
      from: from === undefined ? undefined : startOfLocalDay(from, actor.timezone),
      to: to === undefined ? undefined : startOfLocalDay(nextDate(to), actor.timezone),
    }, { page, pageSize });
  });

  r.get('/api/v1/orders/:id', {
    config: { permission: 'orders:read' },
    schema: { tags: ['orders'], summary: 'One order with its lines', params: IdParams, response: { 200: Order, ...protectedErrors } },
  }, async (request) => getOrder(db, actorOf(request), request.params.id));
}
