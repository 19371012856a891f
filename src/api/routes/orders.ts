import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import { getOrder, listOrders } from '../../core/orders/orders.service.ts';
import { isCalendarDate } from '../../core/dashboard/dashboard.rules.ts';
import { invalid, YuchiError } from '../../core/errors.ts';
import { MAX_ORDERS_PER_BATCH } from '../../core/orders/record.rules.ts';
import { recordOrderBatch } from '../../core/orders/record.service.ts';
import { actorLabel } from '../../core/tags/tags.rules.ts';
import { nextDate, startOfLocalDay } from '../../core/time.ts';
import { actorOf } from '../auth.ts';
import { CalendarDate, ErrorResponse, Fen, Id, IdParams, Instant, OrderChannel, OrderStatus, PageQuery, pageOf, protectedErrors, Ref } from '../schemas.ts';
import { Rejected } from './events.ts';

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
      querystring: PageQuery.extend({
        customerId: Id.optional(), storeId: Id.optional(), channel: OrderChannel.optional(), status: OrderStatus.optional(),
        orderNo: z.string().trim().min(1).max(64).optional().describe('the order number, exactly'),
        from: CalendarDate.optional(), to: CalendarDate.optional(),
      }),
      response: { 200: pageOf(Order), ...protectedErrors },
    },
  }, async (request) => {
    const actor = actorOf(request);
    const { page, pageSize, from, to, ...filter } = request.query;
    if (from !== undefined && !isCalendarDate(from)) throw invalid('query.from', 'is not a calendar date', { code: 'date_format', params: { minimum: 2000, maximum: 2100 } });
    if (to !== undefined && !isCalendarDate(to)) throw invalid('query.to', 'is not a calendar date', { code: 'date_format', params: { minimum: 2000, maximum: 2100 } });
    if (from !== undefined && to !== undefined && from > to) throw invalid('query.from', 'must not be after to', { code: 'range_reversed', params: { from, to } });
    return listOrders(db, actor, {
      ...filter,
      from: from === undefined ? undefined : startOfLocalDay(from, actor.timezone),
      to: to === undefined ? undefined : startOfLocalDay(nextDate(to), actor.timezone),
    }, { page, pageSize });
  });

  r.post('/api/v1/orders', {
    config: { permission: 'orders:write' },
    schema: {
      tags: ['orders'],
      summary: 'Record a batch of orders',
      description: [
        `Up to ${MAX_ORDERS_PER_BATCH} orders: \`{ orderNo, customer: { customerId | externalUserId | unionId | openId | phone | memberNo }, channel (pos, miniprogram, ecommerce, group_buy, other),`,
        'paidFen, totalFen?, discountFen?, refundedFen?, status?, storeId | storeCode?, staffId | staffWecomUserId?, orderedAt, items: [{ sku, name, quantity, unitPriceFen, amountFen? }] }`.',
        'Idempotent by orderNo: an identical re-send is a duplicate. A refund is the order re-sent with a larger refundedFen (the total refunded so far); it updates the order and the customer\'s aggregates.',
        'Each order is checked alone: bad ones are listed in `rejected`, the good ones are recorded. Unknown customers are created.',
      ].join(' '),
      body: z.object({ orders: z.array(z.unknown()) }),
      response: {
        200: z.object({
          accepted: z.number().int().describe('created + updated'),
          created: z.number().int(),
          updated: z.number().int().describe('refunds recorded'),
          duplicates: z.number().int(),
          rejected: Rejected,
        }),
        413: ErrorResponse,
        ...protectedErrors,
      },
    },
  }, async (request) => {
    const { orders } = request.body;
    if (orders.length > MAX_ORDERS_PER_BATCH) {
      throw new YuchiError('too_large', `a batch holds at most ${MAX_ORDERS_PER_BATCH} orders; this one has ${orders.length}`);
    }
    const actor = actorOf(request);
    const result = await recordOrderBatch(db, actor.tenantId, orders, { source: 'api', actor: actorLabel(actor) });
    return { accepted: result.created + result.updated, created: result.created, updated: result.updated, duplicates: result.duplicates, rejected: result.rejected };
  });

  r.get('/api/v1/orders/:id', {
    config: { permission: 'orders:read' },
    schema: { tags: ['orders'], summary: 'One order with its lines', params: IdParams, response: { 200: Order, ...protectedErrors } },
  }, async (request) => getOrder(db, actorOf(request), request.params.id));
}
